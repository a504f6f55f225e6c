import ChartCore
@testable import ChartStore
import Foundation
import Testing

/// The mode a new database file gets: owner-only, except in a group's setgid folder (README
/// "Several clinicians on one server"), where the file and SQLite's -wal and -shm are 0660.
@Suite struct DatabaseFileModeTests {
    /// Permission bits, the group and whether it exists, of each of the database's three files.
    private func files(_ path: String) -> [(name: String, mode: mode_t, gid: gid_t)] {
        [path, path + "-wal", path + "-shm"].map { file in
            var info = stat()
            guard stat(file, &info) == 0 else { return (file, 0, 0) }
            return (file, info.st_mode & 0o7777, info.st_gid)
        }
    }

    /// Opens a new database in `dir` (mode `folderMode`) and writes a row, keeping the connection
    /// open so that the -wal and -shm files exist; returns the three files as they are then.
    private func newDatabase(folderMode: mode_t, sourceLocation: SourceLocation = #_sourceLocation) throws
        -> (files: [(name: String, mode: mode_t, gid: gid_t)], folderGID: gid_t) {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(chmod(dir, folderMode) == 0, "chmod \(String(folderMode, radix: 8)): errno \(errno)", sourceLocation: sourceLocation)
        let path = dir + "/clinic.sqlite"
        let db = try AppDatabase.open(path: path)
        _ = try db.addPatient(Patient(name: "Ana Lima", dateOfBirth: CalendarDate(iso: "1970-05-05")!, chartNumber: "C1"), by: "ahale")
        var folder = stat()
        _ = stat(dir, &folder)
        let seen = files(path)
        withExtendedLifetime(db) {}
        return (seen, folder.st_gid)
    }

    @Test func aNewDatabaseIsOwnerOnly() throws {
        for folderMode: mode_t in [0o700, 0o770, 0o2750, 0o2700] {
            let (seen, _) = try newDatabase(folderMode: folderMode)
            for f in seen {
                #expect(f.mode == 0o600, "\(f.name) in a folder \(String(folderMode, radix: 8)): \(String(f.mode, radix: 8))")
            }
        }
    }

    @Test func inAGroupsSetgidFolderItIsGroupReadableAndWritable() throws {
        for folderMode: mode_t in [0o2770, 0o2775] {
            let (seen, gid) = try newDatabase(folderMode: folderMode)
            for f in seen {
                // 0660 exactly, although the umask (022 here) would have made a plain create 0640.
                #expect(f.mode == 0o660, "\(f.name) in a folder \(String(folderMode, radix: 8)): \(String(f.mode, radix: 8))")
                #expect(f.gid == gid, "\(f.name) has the folder's group")
            }
        }
    }

    @Test func whatCountsAsAGroupsFolder() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (mode, shared) in [(0o2770, true), (0o2730, true), (0o770, false), (0o2750, false)] as [(mode_t, Bool)] {
            #expect(chmod(dir, mode) == 0)
            #expect(DatabaseFile.isGroupShared(folder: dir) == shared, "\(String(mode, radix: 8))")
        }
        #expect(!DatabaseFile.isGroupShared(folder: dir + "/missing"))
        try Data().write(to: URL(fileURLWithPath: dir + "/file"))
        _ = chmod(dir + "/file", 0o2770)
        #expect(!DatabaseFile.isGroupShared(folder: dir + "/file"), "a file is not a folder")
    }

    @Test func anExistingFileIsLeftAsItIs() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(chmod(dir, 0o2770) == 0)
        let path = dir + "/clinic.sqlite"
        #expect(FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]))
        try DatabaseFile.create(at: path)
        #expect(files(path)[0].mode == 0o600, "create never changes a file that is already there")
    }
}
