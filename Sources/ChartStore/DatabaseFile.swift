import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a new database file is created.
///
/// Owner-only (0600) by default. In a folder shared through a group — group-writable with the
/// setgid bit, as README's "Several clinicians on one server" sets up — it is 0660 instead, so the
/// other clinicians of that group (the folder's group, which the setgid bit gives the file) can
/// open it. SQLite creates the `-wal` and `-shm` files with the database file's mode, so they follow.
enum DatabaseFile {
    /// Owner-only.
    static let privateMode: mode_t = 0o600
    /// Owner and group, for a group's shared folder.
    static let sharedMode: mode_t = 0o660

    /// Whether `folder` is set up for a group to share: group-writable and setgid.
    static func isGroupShared(folder: String) -> Bool {
        var info = stat()
        guard stat(folder, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return false }
        return info.st_mode & S_ISGID != 0 && info.st_mode & S_IWGRP != 0
    }

    /// The mode of a new database file in `folder`.
    static func creationMode(folder: String) -> mode_t {
        isGroupShared(folder: folder) ? sharedMode : privateMode
    }

    /// Creates the empty file at `path` with exactly `creationMode(folder:)` from the start (never
    /// wider for a moment, whatever the umask). A file that appeared meanwhile is left as it is.
    static func create(at path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let mode = creationMode(folder: folder)
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        if fd < 0 {
            if errno == EEXIST { return }
            throw StoreError(.io, "Cannot create the database file \(path): \(String(cString: strerror(errno))). Check the folder's permissions.")
        }
        defer { close(fd) }
        // The umask can only have narrowed the mode; set it exactly (0660 under umask 022 would be 0640).
        guard fchmod(fd, mode) == 0, fsync(fd) == 0 else {
            throw StoreError(.io, "Cannot set up the database file \(path): \(String(cString: strerror(errno))).")
        }
    }
}
