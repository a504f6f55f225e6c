import ChartCore
import ChartStore
import Foundation
import TestPostgresServer
import Testing

/// Issue 11: "SCRAM passwords and TLS from other sites". A server that takes TCP connections only
/// with TLS and a SCRAM password (its own throwaway, self-signed): a clinician charts and signs
/// over it; without TLS, with a wrong password, or trusting a certificate that cannot be
/// verified, they get one line and nothing is written.
@Suite struct PostgresTLSTests {
    @Test(.enabled(if: TestPostgres.runs))
    func aClinicianChartsOverTLSWithAPasswordAndEveryWrongWayIsOneLine() throws {
        let server = try TestPostgres.tlsServer()
        let admin = try TestPostgres.freshClinic(on: server.own)
        let database = try PostgresURL(admin).database
        try PostgresAdmin.addClinician(url: admin, login: "ahale", displayName: "Alex Hale", credentials: "PT, DPT",
                                       password: "s3cret-Pw", environment: .fixed())
        func remote(_ parameters: String, password: String = "s3cret-Pw") -> String {
            "postgresql://ahale:\(password)@127.0.0.1:\(server.port)/\(database)?\(parameters)"
        }

        // TLS required (the certificate not verified, as libpq's require), and verified against
        // the clinic's own authority with sslrootcert.
        for url in [remote("sslmode=require"), remote("sslmode=verify-full&sslrootcert=\(server.certificate)"),
                    remote("sslmode=require&sslrootcert=\(server.certificate)")] {
            let db = try PostgresStore.connect(url: url, environment: .fixed())
            #expect(db.role == "ahale")
            #expect(try db.patientCount() >= 0)
        }
        let db = try PostgresStore.connect(url: remote("sslmode=verify-ca&sslrootcert=\(server.certificate)"), environment: .fixed())
        let (_, s) = try chartedSession(in: db, profile: false)
        let signed = try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue, version: s.version)
        #expect(signed.signature?.by == "ahale")
        let ssl = try TestPostgres.psql(admin, "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE s.ssl AND a.usename = 'ahale'")
        #expect(Int(ssl.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 >= 1, "the clinician's connection is encrypted")
        let audit = try TestPostgres.psql(admin, "SELECT count(*) FROM audit_log")

        // Every wrong way: one line, saying what to do, and nothing written.
        let wrong: [(String, String)] = [
            (remote("sslmode=disable"), "PostgreSQL refused ahale"),
            (remote("sslmode=require", password: "wrong-Pw"), "PostgreSQL refused ahale"),
            (remote("sslmode=verify-full"), "showed a TLS certificate that this machine's certificate authorities do not vouch for (sslmode=verify-full): give the clinic's authority as sslrootcert=FILE"),
            (remote("sslmode=verify-ca"), "do not vouch for (sslmode=verify-ca)"),
        ]
        for (url, says) in wrong {
            #expect { _ = try PostgresStore.connect(url: url, environment: .fixed()) } throws: { error in
                let text = "\(error)"
                return text.contains(says) && !text.contains("\n") && !text.contains("s3cret") && !text.contains("wrong-Pw") && !text.contains(".build")
            }
        }
        #expect(throws: (any Error).self) { try PostgresURL("postgresql://ahale@127.0.0.1/x?sslrootcert=/nonexistent/ca.crt") }
        #expect(try TestPostgres.psql(admin, "SELECT count(*) FROM audit_log") == audit)
    }
}
