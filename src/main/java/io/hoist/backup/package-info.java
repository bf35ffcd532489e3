/**
 * Backups of a node's state taken before its upgrade and kept on the core node: a {@link
 * io.hoist.backup.BackupStore} archives the configured paths on the node with {@code tar},
 * downloads the archive (sha256-verified), reads it back and writes a manifest of every entry, and
 * restores an archive onto the node. Depends on {@code model}, {@code command}, the {@code
 * transport} interfaces, {@code error} and commons-compress; never on a transport implementation or
 * Jackson.
 */
package io.hoist.backup;
