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
/// The weights are read once per query, with its first row: they must be constants.
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

    /// What one query's ranking computes once, kept by FTS5 as the query's auxiliary data: one
    /// allocation of doubles, read and written in place for every row (a class holding arrays
    /// cost exclusivity checks, retains and uniqueness checks on every row).
    ///
    /// Layout: phrase count, column-weight count, average row length, then each phrase's IDF,
    /// each phrase's frequency in the current row, and each column's weight.
    private struct QueryStatistics {
        let base: UnsafeMutablePointer<Double>

        var phrases: Int { Int(base[0]) }
        var weights: Int { Int(base[1]) }
        var averageLength: Double { base[2] }
        var idf: UnsafeMutablePointer<Double> { base + 3 }
        var frequencies: UnsafeMutablePointer<Double> { base + 3 + phrases }
        var weight: UnsafeMutablePointer<Double> { base + 3 + 2 * phrases }

        static func allocate(phrases: Int, weights: Int, averageLength: Double) -> QueryStatistics {
            let base = UnsafeMutablePointer<Double>.allocate(capacity: 3 + 2 * phrases + weights)
            base.initialize(repeating: 0, count: 3 + 2 * phrases + weights)
            base[0] = Double(phrases)
            base[1] = Double(weights)
            base[2] = averageLength
            return QueryStatistics(base: base)
        }

        /// Computed once per query: the average length, the IDFs and the weights.
        static func make(
            _ api: UnsafePointer<Fts5ExtensionApi>, _ fts: OpaquePointer?, weights: Int, _ values: UnsafeMutablePointer<OpaquePointer?>
        ) -> (QueryStatistics?, Int32) {
            var rows: Int64 = 0
            var tokens: Int64 = 0
            var code = api.pointee.xRowCount!(fts, &rows)
            if code == SQLITE_OK { code = api.pointee.xColumnTotalSize!(fts, -1, &tokens) }
            guard code == SQLITE_OK else { return (nil, code) }
            let phrases = Int(api.pointee.xPhraseCount!(fts))
            let statistics = allocate(
                phrases: phrases, weights: weights, averageLength: rows > 0 ? Double(tokens) / Double(rows) : 0)
            for phrase in 0..<phrases {
                var hits: Int64 = 0
                code = api.pointee.xQueryPhrase!(fts, Int32(phrase), &hits) { _, _, hits in
                    hits?.assumingMemoryBound(to: Int64.self).pointee += 1
                    return SQLITE_OK
                }
                guard code == SQLITE_OK else {
                    statistics.base.deallocate()
                    return (nil, code)
                }
                let value = log((Double(rows) - Double(hits) + 0.5) / (Double(hits) + 0.5))
                statistics.idf[phrase] = value > 0 ? value : 1e-6
            }
            // Weights follow the token count: column i's is argument i + 1.
            for column in 0..<weights { statistics.weight[column] = sqlite3_value_double(values[column + 1]) }
            return (statistics, SQLITE_OK)
        }
    }

    /// `orders_bm25(orders_text, tokens, weights...)`.
    private static let bm25: fts5_extension_function = { api, fts, context, count, values in
        guard let api, let values, count >= 1 else {
            sqlite3_result_error(context, "orders_bm25 needs the row's token count", -1)
            return
        }
        let statistics: QueryStatistics
        if let stored = api.pointee.xGetAuxdata!(fts, 0) {
            statistics = QueryStatistics(base: stored.assumingMemoryBound(to: Double.self))
        } else {
            let (made, code) = QueryStatistics.make(api, fts, weights: Int(count) - 1, values)
            guard let made else {
                sqlite3_result_error_code(context, code)
                return
            }
            statistics = made
            // FTS5 releases it when the query ends (or at once, should it fail to keep it).
            let kept = api.pointee.xSetAuxdata!(fts, statistics.base) { stored in
                stored?.assumingMemoryBound(to: Double.self).deallocate()
            }
            guard kept == SQLITE_OK else {
                sqlite3_result_error_code(context, kept)
                return
            }
        }

        let phrases = statistics.phrases
        let frequencies = statistics.frequencies
        let weights = statistics.weights
        frequencies.update(repeating: 0, count: phrases)
        var instances: Int32 = 0
        var code = api.pointee.xInstCount!(fts, &instances)
        let instance = api.pointee.xInst!
        var index: Int32 = 0
        while index < instances, code == SQLITE_OK {
            var phrase: Int32 = 0
            var column: Int32 = 0
            var offset: Int32 = 0
            code = instance(fts, index, &phrase, &column, &offset)
            frequencies[Int(phrase)] += Int(column) < weights ? statistics.weight[Int(column)] : 1
            index += 1
        }
        guard code == SQLITE_OK else {
            sqlite3_result_error_code(context, code)
            return
        }
        let length = sqlite3_value_double(values[0])
        let k1 = 1.2
        let b = 0.75
        let averageLength = statistics.averageLength
        let norm = averageLength > 0 ? 1 - b + b * length / averageLength : 1
        var score = 0.0
        for phrase in 0..<phrases {
            let frequency = frequencies[phrase]
            score += statistics.idf[phrase] * (frequency * (k1 + 1)) / (frequency + k1 * norm)
        }
        sqlite3_result_double(context, -score)
    }
}
