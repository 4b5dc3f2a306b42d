import Foundation
import Testing

/// Runs the built `orders` executable, as a user would.
/// Serialized: each test waits for child processes synchronously, which holds one of the few
/// threads every async test shares (two on a 2-core machine); one CLI test at a time leaves the
/// others room (a live server's test once stalled for its whole time limit).
@Suite(.serialized, .timeLimit(.minutes(5))) struct CLITests {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func ordersExecutable() throws -> URL {
        // The test bundle sits in the build products folder next to the executable.
        var candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        candidates.append(Bundle.main.bundleURL)
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for folder in candidates {
            let url = folder.appendingPathComponent("orders")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "orders executable near \(candidates)"])
    }

    /// Starts `orders arguments` in `directory` with its output on pipes, without waiting for it.
    static func launch(_ arguments: [String], in directory: URL) throws -> (process: Process, out: Pipe, err: Pipe) {
        let process = Process()
        process.executableURL = try ordersExecutable()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, out, err)
    }

    static func run(_ arguments: [String], in directory: URL) throws -> Output {
        let (process, out, err) = try launch(arguments, in: directory)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func withDirectory<T>(_ body: (URL) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orders-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try body(directory)
    }

    @Test func seedCreatesTheDefaultDatabaseAndEventsPrintsItAsNDJSON() throws {
        try Self.withDirectory { directory in
            let seed = try Self.run(
                ["seed", "--customers", "12", "--products", "8", "--orders", "30", "--since", "2026-01-01", "--durability", "normal"], in: directory
            )
            #expect(seed.status == 0, "\(seed.stderr)")
            #expect(seed.stdout.contains("seeded 12 customers, 8 products, 30 orders"))
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("data/orders.sqlite").path))

            let events = try Self.run(["events"], in: directory)
            #expect(events.status == 0, "\(events.stderr)")
            let lines = events.stdout.split(separator: "\n")
            let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
            #expect(objects.map { $0["position"] as? Int } == Array(1...objects.count).map(Optional.some))
            #expect(objects.filter { $0["type"] as? String == "customer.registered" }.count == 12)
            #expect(objects.filter { $0["type"] as? String == "order.created" }.count == 30)
            #expect(objects.allSatisfy { $0["payload"] is [String: Any] && $0["recorded_at"] is String && $0["schema_version"] is Int })

            let page = try Self.run(["events", "--after", "5", "--limit", "3"], in: directory)
            let positions = try page.stdout.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["position"] as? Int
            }
            #expect(positions == [6, 7, 8])
        }
    }

    @Test func badArgumentsAreRefusedWithAClearMessageAndChangeNothing() throws {
        try Self.withDirectory { directory in
            let noCustomers = try Self.run(["seed", "--customers", "0", "--orders", "5", "--db", "x/orders.sqlite"], in: directory)
            #expect(noCustomers.status != 0)
            #expect(noCustomers.stderr.contains("--orders needs at least one customer and one product"))
            let badDate = try Self.run(["seed", "--since", "yesterday-ish", "--db", "x/orders.sqlite"], in: directory)
            #expect(badDate.status != 0)
            #expect(badDate.stderr.contains("since"))
            let badLimit = try Self.run(["events", "--limit", "0", "--db", "x/orders.sqlite"], in: directory)
            #expect(badLimit.status != 0)
            #expect(badLimit.stderr.contains("--limit must be at least 1"))
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("x").path), "nothing was created")
        }
    }

    /// `status` and `events` only read the event store, `search` and `dead-letters list` the read
    /// side: pointed at one that is not there, they say so, exit non-zero without the usage
    /// text, and create nothing.
    @Test func commandsThatOnlyReadNeverCreateAStore() throws {
        try Self.withDirectory { directory in
            for command in [
                ["status", "--db", "nowhere/dir/o.sqlite"], ["events", "--db", "nowhere/dir/o.sqlite"],
                ["dead-letters", "list", "--read-db", "nowhere/dir/read.sqlite"],
            ] {
                let output = try Self.run(command, in: directory)
                #expect(output.status != 0, "\(command)")
                #expect(output.stderr.contains("nowhere/dir/"), "\(command): \(output.stderr)")
                #expect(!output.stderr.contains("USAGE"), "\(command): \(output.stderr)")
            }
            let search = try Self.run(["search", "tea", "--read-db", "nowhere/dir/read.sqlite"], in: directory)
            #expect(search.status != 0 && search.stderr.contains("no read index at nowhere/dir/read.sqlite"), "\(search.stderr)")
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("nowhere").path), "nothing was created")

            // An event store whose read index was never built: status says so, and builds nothing
            let seeded = try Self.run(["seed", "--orders", "2", "--db", "fresh/o.sqlite"], in: directory)
            try #require(seeded.status == 0, "\(seeded.stderr)")
            let status = try Self.run(["status", "--db", "fresh/o.sqlite"], in: directory)
            #expect(status.status == 0 && status.stdout.contains("fresh/read.sqlite") && status.stdout.contains("not built yet"), "\(status)")
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("fresh").path)
            #expect(files.filter { $0.hasPrefix("read") } == [], "no read index was created: \(files)")
        }
    }

    /// Each event store gets its own read index by default (beside `--db`), and a read index
    /// built from one store is refused when named for another: never served, never a
    /// negative lag.
    @Test func aReadIndexBelongsToOneEventStore() throws {
        try Self.withDirectory { directory in
            let main = try Self.run(["seed", "--customers", "3", "--products", "3", "--orders", "8", "--durability", "normal"], in: directory)
            #expect(main.status == 0, "\(main.stderr)")
            #expect(try Self.run(["project", "--once"], in: directory).status == 0)
            let alt = ["--db", "alt/orders.sqlite"]
            let seeded = try Self.run(
                ["seed", "--customers", "2", "--products", "2", "--orders", "2", "--seed", "7", "--durability", "normal"] + alt, in: directory)
            #expect(seeded.status == 0, "\(seeded.stderr)")
            // By default the other store's status reads alt/read.sqlite, not data/read.sqlite.
            let status = try Self.run(["status", "--json"] + alt, in: directory)
            #expect(status.status == 0, "\(status.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
            #expect(report["checkpoint"] as? Int == 0 && (report["lag_events"] as? Int ?? -1) > 0, "\(report)")
            #expect(try Self.run(["project", "--once"] + alt, in: directory).status == 0)
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("alt/read.sqlite").path))
            // Named explicitly, the main store's read index is refused for the other store.
            for command in [["project", "--once"], ["status"], ["serve", "--port", "65531"]] {
                let refused = try Self.run(command + alt + ["--read-db", "data/read.sqlite"], in: directory)
                #expect(refused.status != 0, "\(command)")
                #expect(refused.stderr.contains("was built from another event store"), "\(command): \(refused.stderr)")
            }
            let search = try Self.run(["search", "--json"], in: directory)
            #expect(search.status == 0 && search.stdout.contains("\"total\""), "the main store's index still answers: \(search.stderr)")
        }
    }

    @Test func impossibleDatesAreRefusedByOption() throws {
        try Self.withDirectory { directory in
            let search = try Self.run(["search", "--from", "2026-02-30T10:00:00Z", "--read-db", "x/read.sqlite"], in: directory)
            #expect(search.status != 0)
            #expect(search.stderr.contains("--from:"), "\(search.stderr)")
            let seed = try Self.run(["seed", "--since", "2025-02-29", "--orders", "1", "--db", "x/orders.sqlite"], in: directory)
            #expect(seed.status != 0)
            #expect(seed.stderr.contains("since"), "\(seed.stderr)")
            let time = try Self.run(["seed", "--since", "2026-01-01T24:00:00Z", "--orders", "1", "--db", "x/orders.sqlite"], in: directory)
            #expect(time.status != 0)
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("x").path), "nothing was created")
        }
    }

    @Test func projectThenSearchFromTheTerminal() throws {
        try Self.withDirectory { directory in
            let seed = try Self.run(["seed", "--customers", "20", "--products", "10", "--orders", "80", "--durability", "normal"], in: directory)
            #expect(seed.status == 0, "\(seed.stderr)")
            let project = try Self.run(["project", "--once"], in: directory)
            #expect(project.status == 0, "\(project.stderr)")
            #expect(project.stdout.contains("projected up to position"))
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("data/read.sqlite").path))

            let all = try Self.run(["search", "--json", "--size", "100"], in: directory)
            #expect(all.status == 0, "\(all.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [String: Any])
            #expect(object["total"] as? Int == 80)
            #expect((object["hits"] as? [Any])?.count == 80)

            let paid = try Self.run(["search", "--status", "paid", "--json"], in: directory)
            let paidObject = try #require(try JSONSerialization.jsonObject(with: Data(paid.stdout.utf8)) as? [String: Any])
            let hits = try #require(paidObject["hits"] as? [[String: Any]])
            #expect(hits.allSatisfy { ($0["order"] as? [String: Any])?["status"] as? String == "paid" })

            let bad = try Self.run(["search", "--size", "0"], in: directory)
            #expect(bad.status != 0)
            #expect(bad.stderr.contains("--size: must be a whole number from 1 to 100"))
        }
    }

    @Test func statusReportsHeadCheckpointLagAndTheIndex() throws {
        try Self.withDirectory { directory in
            let seed = try Self.run(["seed", "--customers", "5", "--products", "5", "--orders", "12", "--durability", "normal"], in: directory)
            #expect(seed.status == 0, "\(seed.stderr)")
            func status() throws -> [String: Any] {
                let output = try Self.run(["status", "--json"], in: directory)
                #expect(output.status == 0, "\(output.stderr)")
                return try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
            }
            let before = try status()
            let head = try #require(before["head_position"] as? Int)
            #expect(head > 0 && before["checkpoint"] as? Int == 0 && before["lag_events"] as? Int == head)
            _ = try Self.run(["project", "--once"], in: directory)
            let after = try status()
            #expect(after["checkpoint"] as? Int == head && after["lag_events"] as? Int == 0)
            let index = try #require(after["index"] as? [String: Any])
            #expect(index["backend"] as? String == "embedded" && index["documents"] as? Int == 12)
            #expect((after["dead_letters"] as? [Any])?.isEmpty == true)

            // A malformed Elasticsearch URL is refused by name, before anything is opened.
            let malformed = try Self.run(["search", "muller", "--es-url", "ftp://es.example.com"], in: directory)
            #expect(malformed.status != 0)
            #expect(malformed.stderr.contains("--es-url / ES_URL") && malformed.stderr.contains("not an http(s) URL"), "\(malformed.stderr)")

            // An unreachable Elasticsearch is reported, not fatal.
            let unreachable = try Self.run(["status", "--es-url", "http://127.0.0.1:9"], in: directory)
            #expect(unreachable.status == 0, "\(unreachable.stderr)")
            #expect(unreachable.stdout.contains("not reachable"))
        }
    }

    /// `orders keys`: the key is printed once (and only on standard output), listed by name and
    /// role without its secret, revoked by name; `serve` beyond loopback without credentials
    /// refuses to start and says what to do.
    @Test func keysAreMadeListedAndRevokedAndServeRefusesAnOpenNonLoopbackAddress() throws {
        try Self.withDirectory { directory in
            let created = try Self.run(["keys", "create", "--name", "storefront", "--role", "writer"], in: directory)
            #expect(created.status == 0, "\(created.stderr)")
            let key = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(key.hasPrefix("orders_") && key.count > 50, "\(created.stdout)")
            #expect(created.stderr.contains("shown this once") && !created.stderr.contains(key))
            let secret = String(key.split(separator: "_").last ?? "")

            let listed = try Self.run(["keys", "list"], in: directory)
            #expect(listed.status == 0 && listed.stdout.contains("storefront  writer") && listed.stdout.contains("never used"), "\(listed.stdout)")
            #expect(!listed.stdout.contains(secret))
            let json = try Self.run(["keys", "list", "--json"], in: directory)
            #expect(json.stdout.contains("\"role\":\"writer\"") && !json.stdout.contains(secret))

            let badRole = try Self.run(["keys", "create", "--name", "x", "--role", "owner"], in: directory)
            #expect(badRole.status != 0 && badRole.stderr.contains("--role"), "\(badRole.stderr)")
            let twice = try Self.run(["keys", "create", "--name", "storefront", "--role", "reader"], in: directory)
            #expect(twice.status != 0 && twice.stderr.contains("exists already"), "\(twice.stderr)")

            #expect(try Self.run(["keys", "revoke", "storefront"], in: directory).status == 0)
            let again = try Self.run(["keys", "revoke", "storefront"], in: directory)
            #expect(again.status != 0 && again.stderr.contains("no key named 'storefront'"), "\(again.stderr)")
            #expect(try Self.run(["keys", "list"], in: directory).stdout.contains("revoked"))

            // No key is active now: beyond loopback, serve needs credentials or an explicit opt-out.
            let open = try Self.run(["serve", "--host", "0.0.0.0", "--port", "18099"], in: directory)
            #expect(open.status != 0 && open.stderr.contains("needs authentication") && open.stderr.contains("--allow-anonymous"), "\(open.stderr)")
        }
    }

    /// Issue 20: a password in `--es-url` is never printed, whatever the URL's shape (these do
    /// not parse), and giving credentials on the command line, where other users and the shell
    /// history see them, is warned about once.
    @Test func credentialsOnTheCommandLineAreNeverPrintedAndAreWarnedAbout() throws {
        try Self.withDirectory { directory in
            // `status` reads an event store: there is one.
            let seed = try Self.run(["seed", "--customers", "2", "--products", "2", "--orders", "2", "--durability", "normal"], in: directory)
            #expect(seed.status == 0, "\(seed.stderr)")
            for url in ["http://elastic:S3cretPass@127.0.0.1:notaport/", "elastic:S3cretPass@127.0.0.1:9200"] {
                let refused = try Self.run(["status", "--es-url", url], in: directory)
                #expect(refused.status != 0)
                #expect(refused.stderr.contains("--es-url / ES_URL") && refused.stderr.contains("127.0.0.1"), "\(url): \(refused.stderr)")
                #expect(!(refused.stdout + refused.stderr).contains("S3cret"), "\(url): \(refused.stdout) \(refused.stderr)")
            }
            let unreachable = try Self.run(["status", "--es-url", "http://elastic:S3cretPass@127.0.0.1:9"], in: directory)
            #expect(unreachable.status == 0, "\(unreachable.stderr)")
            #expect(unreachable.stdout.contains("127.0.0.1:9") && unreachable.stdout.contains("not reachable"), "\(unreachable.stdout)")
            #expect(!(unreachable.stdout + unreachable.stderr).contains("S3cret"), "\(unreachable.stdout) \(unreachable.stderr)")
            let warnings = unreachable.stderr.split(separator: "\n").filter { $0.contains("warning") && $0.contains("ES_PASSWORD") }
            #expect(warnings.count == 1, "one warning naming the environment variables: \(unreachable.stderr)")
        }
    }
}
