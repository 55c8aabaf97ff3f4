import Foundation
import Testing
@testable import HookpipePostgres
import PostgresScratch

@Suite("PostgreSQL schema text")
struct PostgresSchemaTests {
    @Test("migration 1 is docs/postgresql/schema.sql, byte for byte")
    func migrationIsTheReviewedFile() throws {
        let file = try String(contentsOfFile: PostgresScratch.packageRoot + "/docs/postgresql/schema.sql", encoding: .utf8)
        #expect(PostgresSchema.version1 + "\n" == file)
    }

    @Test("the schema splits into one statement per CREATE/ALTER/INSERT, function bodies whole")
    func statements() {
        let statements = PostgresSchema.statements(PostgresSchema.version1)
        let heads = statements.map { statement in
            statement.split(separator: "\n").first { line in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                return !trimmed.isEmpty && !trimmed.hasPrefix("--")
            }.map { String($0.prefix(30)) } ?? ""
        }
        #expect(statements.count == 14, "\(heads)")
        #expect(heads.filter { $0.hasPrefix("CREATE TABLE") }.count == 7)
        #expect(heads.filter { $0.hasPrefix("CREATE FUNCTION") }.count == 2)
        // A `;` inside a trailing comment or a $$ body never ends a statement.
        let split = PostgresSchema.statements("""
            CREATE TABLE a (x int);   -- one; two
            CREATE TABLE b (          -- a comment ending in ;
              y int
            );
            CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$
            BEGIN
              RETURN 1;
            END;
            $$;
            -- only a comment;
            """)
        #expect(split.count == 3)
        #expect(split[2].contains("RETURN 1;") && split[2].hasSuffix("$$;"))
    }
}

@Suite("PostgreSQL connection URL")
struct PostgresConnectionURLTests {
    @Test("TCP with password, port and sslmode")
    func tcp() throws {
        let url = try PostgresConnectionURL("postgresql://hook:s3cr%40t@db.example.com:6543/events?sslmode=require")
        #expect(url.endpoint == .tcp(host: "db.example.com", port: 6543))
        #expect(url.user == "hook" && url.password == "s3cr@t" && url.database == "events" && url.tls == .require)
        #expect(!url.description.contains("s3cr"))
    }

    @Test("defaults: port 5432; TLS verified unless loopback or a socket")
    func defaults() throws {
        #expect(try PostgresConnectionURL("postgres://u@db/x").tls == .verifyFull)
        #expect(try PostgresConnectionURL("postgres://u@db/x").endpoint == .tcp(host: "db", port: 5432))
        #expect(try PostgresConnectionURL("postgres://u@127.0.0.1/x").tls == .disable)
        let socket = try PostgresConnectionURL("postgresql://u:p@/x?host=/run/postgresql")
        #expect(socket.endpoint == .unixSocket(path: "/run/postgresql/.s.PGSQL.5432"))
        #expect(socket.tls == .disable)
    }

    @Test("bad URLs are refused with a message that shows no password", arguments: [
        "mysql://u:hunter2@h/db", "postgresql://h/db", "postgresql://u:hunter2@h", "postgresql://u:hunter2@h/db?sslmode=prefer",
        "postgresql://u:hunter2@h/db?sslmode=nope", "postgresql://u:hunter2@h:99999/db", "postgresql://u:hunter2@h/db?target=x",
    ])
    func refused(_ text: String) {
        do {
            _ = try PostgresConnectionURL(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(!error.description.contains("hunter2"), "\(error)")
            #expect(!error.description.isEmpty)
        }
    }
}

@Suite("Chain lease timing")
struct LeaseTermsTests {
    let terms = LeaseTerms(ttl: .seconds(10))

    @Test("renew every fifth of the TTL; trust four fifths from when the renewal was sent")
    func arithmetic() {
        #expect(terms.renewEvery == .seconds(2))
        #expect(terms.trustFor == .seconds(8))
        #expect(terms.acquireEvery == .milliseconds(500))
        #expect(terms.acquirePause(unit: 0) == .milliseconds(400))
        #expect(terms.acquirePause(unit: 1) == .milliseconds(600))
    }

    @Test("trust runs from the send, so a slow answer never stretches it; it never shrinks")
    func trust() {
        let sent = ContinuousClock.now
        var trust = LeaseTrust(epoch: 3, sentAt: sent, terms: terms)
        #expect(trust.isTrusted(at: sent + .seconds(7)))
        #expect(!trust.isTrusted(at: sent + .seconds(7), margin: .seconds(1)))
        #expect(!trust.isTrusted(at: sent + .seconds(8)))
        // An answer that arrives 5 s after it was sent still only trusts until send + 8 s.
        trust.renewed(sentAt: sent + .seconds(1), terms: terms)
        #expect(trust.isTrusted(at: sent + .milliseconds(8_900)))
        #expect(!trust.isTrusted(at: sent + .seconds(9)))
        // A renewal sent earlier than the current trust's does not shrink it.
        trust.renewed(sentAt: sent, terms: terms)
        #expect(trust.isTrusted(at: sent + .milliseconds(8_900)))
        #expect(trust.remaining(at: sent + .seconds(20)) == .zero)
    }
}
