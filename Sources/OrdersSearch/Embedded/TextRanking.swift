import Foundation
import GRDB
import GRDBSQLite

/// Relevance for the embedded index's text queries: BM25 exactly as FTS5's own `bm25()`
/// computes it, but with each row's length in tokens passed in rather than looked up.
///
/// FTS5's `bm25()` reads every matching row's length from its `%_docsize` table, one statement
/// run per row: ~1.6 µs of the ~1.8 µs a matching row costs, so a word in every order of
/// 100,000 took ~180 ms to rank. The text query joins `orders` anyway (status, sort keys), so
/// the length lives there (`orders.text_tokens`, counted with the table's tokenizer when the
/// document is written) and `orders_bm25` takes it as an argument:
///
///     orders_bm25(orders_text, o.text_tokens, weight of column 0, weight of column 1, ...)
///
/// Everything else is FTS5's formula: k1 = 1.2, b = 0.75, the average length over the whole
/// table, IDF = ln((N − n + 0.5) / (n + 0.5)) floored at 1e-6, and a phrase's frequency in a
/// row is the sum of its instances' column weights; the result is negated (lower is better),
/// as `bm25()`'s is. Tests hold it equal to `bm25()`.
enum TextRanking {
    /// The tokenizer of `orders_text` (`unicode61 remove_diacritics 2`): token counts must be
    /// the ones FTS5 keeps, or the lengths BM25 normalizes by would differ.
    static let tokenizer = FTS5TokenizerDescriptor.unicode61(diacritics: .remove)

    /// Registers `orders_bm25` on a connection (every connection of the index, readers too).
    static func register(_ db: Database) throws {
        let api = FTS5.api(db)
        let code = api.pointee.xCreateFunction!(UnsafeMutablePointer(mutating: api), "orders_bm25", nil, bm25, nil)
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "could not register the FTS5 function orders_bm25")
        }
    }

    /// The tokens FTS5 counts for a row with these column texts (what `xColumnSize(-1)` says).
    static func tokenCount(_ columns: [String], _ tokenizer: any FTS5Tokenizer) throws -> Int64 {
        var count: Int64 = 0
        for column in columns where !column.isEmpty {
            var text = column
            let code = text.withUTF8 { bytes in
                withUnsafeMutablePointer(to: &count) { counter in
                    bytes.withMemoryRebound(to: CChar.self) { chars in
                        tokenizer.tokenize(
                            context: UnsafeMutableRawPointer(counter), tokenization: .document, pText: chars.baseAddress,
                            nText: CInt(chars.count)
                        ) { context, flags, _, _, _, _ in
                            // FTS5 does not count a token at the place of the one before it.
                            if flags & FTS5_TOKEN_COLOCATED == 0 { context?.assumingMemoryBound(to: Int64.self).pointee += 1 }
                            return SQLITE_OK
                        }
                    }
                }
            }
            guard code == SQLITE_OK else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "could not count the tokens of an order's text")
            }
        }
        return count
    }

    /// What one query's ranking computes once: the average row length and each phrase's IDF.
    private final class QueryStatistics {
        let averageLength: Double
        let idf: [Double]
        var frequencies: [Double]

        init(averageLength: Double, idf: [Double]) {
            self.averageLength = averageLength
            self.idf = idf
            frequencies = [Double](repeating: 0, count: idf.count)
        }
    }

    /// `orders_bm25(orders_text, tokens, weights...)`.
    private static let bm25: fts5_extension_function = { api, fts, context, count, values in
        guard let api = api?.pointee, let values, count >= 1 else {
            sqlite3_result_error(context, "orders_bm25 needs the row's token count", -1)
            return
        }
        let statistics: QueryStatistics
        if let stored = api.xGetAuxdata!(fts, 0) {
            statistics = Unmanaged<QueryStatistics>.fromOpaque(stored).takeUnretainedValue()
        } else {
            var code = SQLITE_OK
            var rows: Int64 = 0
            var tokens: Int64 = 0
            code = api.xRowCount!(fts, &rows)
            if code == SQLITE_OK { code = api.xColumnTotalSize!(fts, -1, &tokens) }
            var idf: [Double] = []
            for phrase in 0..<api.xPhraseCount!(fts) where code == SQLITE_OK {
                var hits: Int64 = 0
                code = api.xQueryPhrase!(fts, phrase, &hits) { _, _, hits in
                    hits?.assumingMemoryBound(to: Int64.self).pointee += 1
                    return SQLITE_OK
                }
                let value = log((Double(rows) - Double(hits) + 0.5) / (Double(hits) + 0.5))
                idf.append(value > 0 ? value : 1e-6)
            }
            guard code == SQLITE_OK else {
                sqlite3_result_error_code(context, code)
                return
            }
            statistics = QueryStatistics(averageLength: rows > 0 ? Double(tokens) / Double(rows) : 0, idf: idf)
            // FTS5 releases it when the query ends (or at once, should it fail to keep it).
            code = api.xSetAuxdata!(fts, Unmanaged.passRetained(statistics).toOpaque()) { stored in
                if let stored { Unmanaged<QueryStatistics>.fromOpaque(stored).release() }
            }
            guard code == SQLITE_OK else {
                sqlite3_result_error_code(context, code)
                return
            }
        }

        for phrase in statistics.frequencies.indices { statistics.frequencies[phrase] = 0 }
        var instances: Int32 = 0
        var code = api.xInstCount!(fts, &instances)
        for instance in 0..<instances where code == SQLITE_OK {
            var phrase: Int32 = 0
            var column: Int32 = 0
            var offset: Int32 = 0
            code = api.xInst!(fts, instance, &phrase, &column, &offset)
            // Weights follow the token count: column i's is argument i + 1.
            statistics.frequencies[Int(phrase)] += column + 1 < count ? sqlite3_value_double(values[Int(column) + 1]) : 1
        }
        guard code == SQLITE_OK else {
            sqlite3_result_error_code(context, code)
            return
        }
        let length = sqlite3_value_double(values[0])
        let k1 = 1.2
        let b = 0.75
        let norm = statistics.averageLength > 0 ? 1 - b + b * length / statistics.averageLength : 1
        var score = 0.0
        for (idf, frequency) in zip(statistics.idf, statistics.frequencies) {
            score += idf * (frequency * (k1 + 1)) / (frequency + k1 * norm)
        }
        sqlite3_result_double(context, -score)
    }
}
