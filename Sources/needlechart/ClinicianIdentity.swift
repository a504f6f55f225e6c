import ChartCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The operating-system account running the program: its login name and the full name from
/// its passwd entry (the first comma-separated field of GECOS; empty when none is set).
struct Account: Equatable, Sendable {
    var username: String
    var fullName: String

    /// The passwd entry of `uid`, or an error naming the uid when the system has none.
    static func lookup(uid: uid_t) throws(IdentityError) -> Account {
        var entry = passwd()
        var found: UnsafeMutablePointer<passwd>?
        var size = max(1024, sysconf(Int32(_SC_GETPW_R_SIZE_MAX)))
        while true {
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: size)
            defer { buffer.deallocate() }
            let rc = getpwuid_r(uid, &entry, buffer, size, &found)
            if rc == ERANGE, size < 1 << 20 { size *= 2; continue }
            guard rc == 0, found != nil, let name = entry.pw_name, name.pointee != 0 else { throw IdentityError(uid: uid) }
            let gecos = entry.pw_gecos.map { String(cString: $0) } ?? ""
            let full = gecos.split(separator: ",", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            return Account(username: Sanitizer.line(String(cString: name)),
                           fullName: Sanitizer.line(full).trimmingCharacters(in: .whitespaces))
        }
    }
}

/// An account the system does not know: NeedleChart will not guess a name for it.
struct IdentityError: Error, CustomStringConvertible, Sendable {
    var uid: uid_t
    var description: String {
        "this account (uid \(uid)) has no entry in the system's user database (passwd); "
            + "NeedleChart records the login account as the clinician, so ask the administrator to create one"
    }
}

/// Who is charting: the account the program runs as (its effective user id), looked up once.
/// No environment variable or option changes it. Code that needs another clinician (tests, tools)
/// passes a `Clinician` or user name to the library (`Interactive.run(clinician:)`, the store's
/// `by:` parameters) rather than running this binary.
enum ClinicianIdentity {
    /// The account, resolved once per run.
    static let account: Result<Account, IdentityError> = Result { () throws(IdentityError) in try Account.lookup(uid: geteuid()) }

    /// The login name recorded in signatures and the audit log.
    static func username() throws(IdentityError) -> String { try account.get().username }

    /// The clinician for this run: the stored record when there is one, else a new one named
    /// from the account's full name.
    static func current(stored: Clinician?) throws(IdentityError) -> Clinician {
        clinician(for: try account.get(), stored: stored)
    }

    /// The profile of `account`: `stored` when it is that account's, else a new one named from the
    /// account's full name (its login name when it has none).
    static func clinician(for account: Account, stored: Clinician?) -> Clinician {
        if let stored, stored.username == account.username { return stored }
        return Clinician(username: account.username, displayName: account.fullName.isEmpty ? account.username : account.fullName)
    }
}
