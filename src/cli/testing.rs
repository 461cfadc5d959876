//! Helpers shared by the CLI's unit tests.

use std::io::{self, Write};

/// A standard output that refuses everything, like `/dev/full`.
pub struct Full;

impl Write for Full {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::from(io::ErrorKind::StorageFull))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
