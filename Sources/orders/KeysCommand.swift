import ArgumentParser
import Foundation
import OrdersStore

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "API keys: callers send one as `Authorization: Bearer <key>`. Kept hashed in the write store.",
        subcommands: [Create.self, List.self, Revoke.self], defaultSubcommand: List.self
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a key and print it once (it is stored hashed, and cannot be shown again).")
        @Option(help: "A name for the key (who or what uses it): letters, digits, '-', '_', '.'.") var name: String
        @Option(help: "reader (queries), writer (commands too) or admin (everything).") var role: Role
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let keys = APIKeys(database: try store.openDatabase())
            let created: (key: APIKey, secret: String)
            do {
                created = try await keys.create(name: name, role: role, now: Date())
            } catch let error as APIKeyError {
                throw ValidationError(error.description)
            }
            FileHandle.standardError.write(Data("key '\(created.key.name)' (\(created.key.role.rawValue)) created; it is shown this once:\n".utf8))
            print(created.secret)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys: name, role, created, last used, revoked (never a secret).")
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let keys = try await APIKeys(database: try store.openDatabase()).list()
            if json { return print(try ReindexCommand.json(keys)) }
            if keys.isEmpty { return print("no keys: anyone who reaches a loopback server may call it (see `orders keys create`)") }
            for key in keys {
                let used = key.lastUsedAt.map { "last used \($0.formatted(.iso8601))" } ?? "never used"
                let revoked = key.revokedAt.map { ", revoked \($0.formatted(.iso8601))" } ?? ""
                print("\(key.name)  \(key.role.rawValue)  created \(key.createdAt.formatted(.iso8601)), \(used)\(revoked)  (id \(key.id))")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by name: running servers refuse it from their next request.")
        @Argument(help: "The key's name.") var name: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            guard try await APIKeys(database: try store.openDatabase()).revoke(name: name, now: Date()) else {
                throw CommandFailure("no key named '\(name)' that is not revoked (see `orders keys list`)")
            }
            print("revoked key '\(name)'")
        }
    }
}

extension Role: ExpressibleByArgument {}
