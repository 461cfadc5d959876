//! Writing many rows to a table at once, in full pages.
//!
//! Key IDs and secret hashes are random, so rows inserted one by one land
//! all over a table's B-tree, and each full leaf they land in is split in
//! half: such a table settles with its pages about a third empty. redb packs
//! the rows given to one cursor in ascending order into full leaves instead
//! (it buffers the run and splices it in whole), so a bulk write sorts its
//! rows and inserts them that way: a database built in bulk is then about
//! the size of what it holds.

use std::ops::Bound;

use redb::{CursorError, Key, Table, Value};

use super::Fail;

/// Inserts `rows`, none of whose keys may be in the table yet (one that is
/// fails the write, which is then not committed). Sorted by key, rows that
/// fall between the same two rows of the table (all of them, in an empty
/// table) fill whole pages; in any order, every row is inserted.
pub(super) fn insert_sorted<'r, K: Key + 'static, V: Value + 'static>(
    table: &mut Table<'_, K, V>,
    rows: &[(K::SelfType<'r>, V::SelfType<'r>)],
) -> Result<(), Fail> {
    let Some((first, _)) = rows.first() else {
        return Ok(());
    };
    let mut cursor = table.lower_bound_mut(Bound::Included(first))?;
    for (key, value) in rows {
        match cursor.insert_before(key, value) {
            Ok(()) => continue,
            // Past the next row of the table (or equal to it).
            Err(CursorError::UnorderedKey) => {}
            Err(e) => return Err(e.into()),
        }
        // A lone row between two of the table's: an ordinary insert. (A
        // cursor's run of one would rebuild the pages above it for one row.)
        cursor.close()?;
        if table.insert(key, value)?.is_some() {
            return Err(Fail::Redb(redb::Error::UnorderedKey));
        }
        cursor = table.lower_bound_mut(Bound::Excluded(key))?;
    }
    cursor.close()?;
    Ok(())
}
