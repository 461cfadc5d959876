//! The machine's own clipboard, behind a small trait so the clearing logic
//! can be tested with a fake. [`ArboardClipboard`] is the real one.

use std::fmt;

use zeroize::Zeroizing;

/// A system clipboard that holds text.
///
/// Implemented by [`ArboardClipboard`]; tests implement it with a fake.
pub trait SystemClipboard {
    /// Puts `text` on the clipboard. `sensitive` asks clipboard managers to
    /// keep it out of their history (the convention password managers use).
    fn set_text(&mut self, text: &str, sensitive: bool) -> Result<(), SystemClipboardError>;

    /// Reads the clipboard back; `None` when it holds no text. Used only to
    /// check whether a copied secret is still there before clearing it.
    fn get_text(&mut self) -> Result<Option<Zeroizing<String>>, SystemClipboardError>;

    /// Empties the clipboard.
    fn clear(&mut self) -> Result<(), SystemClipboardError>;

    /// Whether the content disappears when this process exits. True on X11
    /// (and Wayland), where the copying application itself serves the
    /// selection, unless a clipboard manager takes it over.
    fn content_ends_with_process(&self) -> bool;
}

/// Why the system clipboard could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemClipboardError(String);

impl SystemClipboardError {
    /// Wraps a human-readable reason.
    pub fn new(reason: impl Into<String>) -> Self {
        Self(reason.into())
    }
}

impl fmt::Display for SystemClipboardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SystemClipboardError {}

impl From<arboard::Error> for SystemClipboardError {
    fn from(error: arboard::Error) -> Self {
        Self(error.to_string())
    }
}

/// The real system clipboard, through `arboard`.
///
/// On X11 the copied text lives only as long as the `arboard` handle (its
/// thread answers paste requests), so [`Clipboard`](super::Clipboard) opens
/// one on first use and keeps it for the rest of the app's life.
pub struct ArboardClipboard {
    inner: arboard::Clipboard,
}

impl ArboardClipboard {
    /// Connects to the system clipboard (on X11, to the X server).
    pub fn open() -> Result<Self, SystemClipboardError> {
        Ok(Self {
            inner: arboard::Clipboard::new()?,
        })
    }
}

impl fmt::Debug for ArboardClipboard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ArboardClipboard")
    }
}

impl SystemClipboard for ArboardClipboard {
    fn set_text(&mut self, text: &str, sensitive: bool) -> Result<(), SystemClipboardError> {
        let set = self.inner.set();
        let set = if sensitive { exclude_from_history(set) } else { set };
        Ok(set.text(text)?)
    }

    fn get_text(&mut self) -> Result<Option<Zeroizing<String>>, SystemClipboardError> {
        match self.inner.get_text() {
            Ok(text) => Ok(Some(Zeroizing::new(text))),
            Err(arboard::Error::ContentNotAvailable) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    fn clear(&mut self) -> Result<(), SystemClipboardError> {
        Ok(self.inner.clear()?)
    }

    fn content_ends_with_process(&self) -> bool {
        cfg!(all(
            unix,
            not(any(
                target_os = "macos",
                target_os = "android",
                target_os = "emscripten"
            ))
        ))
    }
}

#[cfg(all(unix, not(any(target_os = "macos", target_os = "android", target_os = "emscripten"))))]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    use arboard::SetExtLinux as _;
    set.exclude_from_history()
}

#[cfg(target_os = "macos")]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    use arboard::SetExtApple as _;
    set.exclude_from_history()
}

#[cfg(windows)]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    use arboard::SetExtWindows as _;
    set.exclude_from_history()
}

#[cfg(not(any(
    all(unix, not(any(target_os = "macos", target_os = "android", target_os = "emscripten"))),
    target_os = "macos",
    windows
)))]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    set
}
