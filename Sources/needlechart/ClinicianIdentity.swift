import ChartCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Who is charting: the operating-system user, unless NEEDLECHART_USER says otherwise.
enum ClinicianIdentity {
    /// The login name recorded in signatures and the audit log.
    static func username(environment env: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let u = env["NEEDLECHART_USER"], !u.isEmpty { return Sanitizer.line(u) }
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return env["USER"] ?? "clinician"
    }

    /// The clinician for this run: the stored record when there is one, else a new one named
    /// from the account's full name.
    static func current(stored: Clinician?, environment env: [String: String] = ProcessInfo.processInfo.environment) -> Clinician {
        if let stored { return stored }
        let user = username(environment: env)
        var display = user
        if env["NEEDLECHART_USER"] == nil, let pw = getpwuid(getuid()), let gecos = pw.pointee.pw_gecos {
            let full = String(cString: gecos).split(separator: ",", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            if !full.trimmingCharacters(in: .whitespaces).isEmpty { display = full }
        }
        return Clinician(username: user, displayName: display)
    }
}
