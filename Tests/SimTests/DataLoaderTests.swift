import Foundation
import Testing
@testable import Sim

@Suite struct GzipTests {
    @Test func roundTripAndConcatenatedMembers() throws {
        let text = Array(String(repeating: "gradwire 0,1,2\n", count: 500).utf8)
        let packed = try Gzip.compress(text)
        #expect(Gzip.isGzip(packed))
        #expect(packed.count < text.count / 10)
        #expect(try Gzip.decompress(packed) == text)
        let second = try Gzip.compress(Array("tail".utf8))
        #expect(try Gzip.decompress(packed + second) == text + Array("tail".utf8))
    }

    @Test func truncatedAndGarbageStreamsThrow() throws {
        let packed = try Gzip.compress(Array(String(repeating: "abc", count: 1000).utf8))
        #expect(throws: DataError.self) { try Gzip.decompress(Array(packed.prefix(packed.count / 2))) }
        #expect(throws: DataError.self) { try Gzip.decompress([0x1F, 0x8B, 1, 2, 3, 4, 5, 6, 7, 8]) }
        #expect(throws: DataError.gzip(reason: "empty input")) { try Gzip.decompress([]) }
    }
}

@Suite struct IDXLoaderTests {
    let pixels: [UInt8] = [0, 255, 51, 102, 0, 0, 255, 255, 1, 2, 3, 4]   // 3 images of 2×2

    @Test func loadsPlainAndGzippedFiles() throws {
        let dir = try DataTestDirectory()
        let images = try dir.write("images-idx3-ubyte", idxBytes(shape: [3, 2, 2], values: pixels))
        let labels = try dir.write("labels-idx1-ubyte", idxBytes(shape: [3], values: [7, 0, 3]))
        let data = try IDXLoader.load(images: images, labels: labels)
        #expect(data.count == 3 && data.dimension == 4 && data.classes == 8)
        #expect(data.labels == [7, 0, 3])
        #expect(data.features[0..<4] == [0, 1, 0.2, 0.4])
        #expect(data.features[11] == Float(4) / 255)

        let gzImages = try dir.write("images.gz", Gzip.compress(idxBytes(shape: [3, 2, 2], values: pixels)))
        let gzLabels = try dir.write("labels.gz", Gzip.compress(idxBytes(shape: [3], values: [7, 0, 3])))
        #expect(try IDXLoader.load(images: gzImages, labels: gzLabels) == data)
    }

    @Test func rejectsBadHeadersSizesAndCounts() throws {
        let dir = try DataTestDirectory()
        let images = try dir.write("i", idxBytes(shape: [3, 2, 2], values: pixels))
        let labels = try dir.write("l", idxBytes(shape: [3], values: [7, 0, 3]))
        let short = try dir.write("short", idxBytes(shape: [3, 2, 2], values: Array(pixels.dropLast())))
        let twoLabels = try dir.write("l2", idxBytes(shape: [2], values: [1, 2]))
        let badMagic = try dir.write("bad", [1, 0, 8, 1, 0, 0, 0, 0])
        let floats = try dir.write("float", [0, 0, 0x0D, 1, 0, 0, 0, 0])
        func reason(_ images: String, _ labels: String) -> (path: String, reason: String)? {
            do { _ = try IDXLoader.load(images: images, labels: labels); return nil }
            catch { if case .invalidFormat(let p, let r) = error { return (p, r) } else { return nil } }
        }
        #expect(reason(short, labels)?.path == short)
        #expect(reason(short, labels)?.reason.contains("truncated") == true)
        #expect(reason(images, twoLabels)?.reason.contains("2 labels for 3 images") == true)
        #expect(reason(labels, images)?.reason.contains("swap") == true)
        #expect(reason(badMagic, labels)?.path == badMagic)
        #expect(reason(images, floats)?.reason.contains("0xd") == true)
        #expect(throws: DataError.fileNotFound(path: dir.missing("none"))) {
            try IDXLoader.load(images: dir.missing("none"), labels: labels)
        }
    }
}

@Suite struct LIBSVMLoaderTests {
    @Test func sparseLinesCommentsBlankLinesAndSignLabels() throws {
        let dir = try DataTestDirectory()
        let path = try dir.write("a.svm", text: """
            # a comment line
            +1 1:0.5 3:-2

            -1 2:1e-1 # trailing comment
            +1\t3:4 1:1\r
            -1
            """)
        let data = try LIBSVMLoader.load(path: path)
        #expect(data.count == 4 && data.dimension == 3 && data.classes == 2)
        #expect(data.labels == [1, 0, 1, 0])
        #expect(data.features == [0.5, 0, -2, 0, 0.1, 0, 1, 0, 4, 0, 0, 0])
        #expect(try LIBSVMLoader.load(path: path, dimension: 5).dimension == 5)
    }

    @Test func trainAndTestShareLabelMappingAndDimension() throws {
        let dir = try DataTestDirectory()
        let train = try dir.write("train", text: "3 1:1\n5 2:1\n")
        let test = try dir.write("test", text: "1 4:2\n5 1:1\n")
        let (a, b) = try LIBSVMLoader.load(trainPath: train, testPath: test)
        #expect(a.classes == 3 && b.classes == 3 && a.dimension == 4 && b.dimension == 4)
        #expect(a.labels == [1, 2] && b.labels == [0, 2])
    }

    @Test func malformedLinesNameFileAndLine() throws {
        let dir = try DataTestDirectory()
        let cases: [(String, Int, String)] = [
            ("1 1:0.5\n1 x:2\n", 2, "index"), ("1 1:0.5\n\n0 2:nan\n", 3, "value"),
            ("1 1:1 1:2\n", 1, "twice"), ("1,3 1:1\n", 1, "multi-label"), ("1 0:1\n", 1, "1-based"),
            ("1 1 2\n", 1, "index:value"),
        ]
        for (i, (text, line, words)) in cases.enumerated() {
            let path = try dir.write("bad\(i)", text: text)
            do {
                _ = try LIBSVMLoader.load(path: path)
                Issue.record("no error for \(text)")
            } catch {
                guard case .malformed(let p, let l, let reason) = error else { Issue.record("\(error)"); continue }
                #expect(p == path && l == line, "\(text)")
                #expect(reason.contains(words), "\(reason)")
                #expect(error.description.contains("\(path):\(line)"))
            }
        }
        let path = try dir.write("wide", text: "1 7:1\n")
        #expect(throws: DataError.self) { try LIBSVMLoader.load(path: path, dimension: 3) }
        #expect(throws: DataError.fileNotFound(path: dir.missing("x"))) { try LIBSVMLoader.load(path: dir.missing("x")) }
    }
}

@Suite struct CSVLoaderTests {
    @Test func headerAutoDetectAndLabelColumn() throws {
        let dir = try DataTestDirectory()
        let path = try dir.write("h.csv", text: "\"label\",x,y\n2,0.5,1\n0,-1,3.25\n\n1,7,8\n")
        let data = try CSVLoader.load(path: path, labelColumn: 0)
        #expect(data.count == 3 && data.dimension == 2 && data.classes == 3)
        #expect(data.labels == [2, 0, 1])
        #expect(data.features == [0.5, 1, -1, 3.25, 7, 8])
        // Headerless, label last, semicolons, gzipped.
        let gz = try dir.write("p.csv.gz", Gzip.compress(Array("1;2;-1\n3;4;1\n".utf8)))
        let signed = try CSVLoader.load(path: gz)
        #expect(signed.labels == [0, 1] && signed.classes == 2 && signed.features == [1, 2, 3, 4])
        // A numeric first row is data unless told otherwise.
        let numeric = try dir.write("n.csv", text: "1,2,0\n3,4,1\n")
        #expect(try CSVLoader.load(path: numeric).count == 2)
        #expect(try CSVLoader.load(path: numeric, hasHeader: true).count == 1)
        let spaces = try dir.write("s.txt", text: "  1   2  0\n3 4 1\n")
        #expect(try CSVLoader.load(path: spaces).features == [1, 2, 3, 4])
    }

    @Test func errorsNameFileLineAndFix() throws {
        let dir = try DataTestDirectory()
        let ragged = try dir.write("r.csv", text: "1,2,0\n3,4\n")
        #expect(throws: DataError.malformed(path: ragged, line: 2, reason: "2 fields, expected 3")) {
            try CSVLoader.load(path: ragged)
        }
        let word = try dir.write("w.csv", text: "1,2,0\n3,four,1\n")
        do {
            _ = try CSVLoader.load(path: word)
            Issue.record("no error")
        } catch {
            guard case .malformed(let p, 2, let reason) = error else { Issue.record("\(error)"); return }
            #expect(p == word && reason.contains("column 2"))
        }
        let ok = try dir.write("ok.csv", text: "1,2,0\n")
        #expect(throws: DataError.self) { try CSVLoader.load(path: ok, labelColumn: 3) }
        #expect(throws: DataError.fileNotFound(path: dir.missing("m.csv"))) { try CSVLoader.load(path: dir.missing("m.csv")) }
        #expect(throws: DataError.unreadable(path: dir.url.path, reason: "is a directory")) {
            try CSVLoader.load(path: dir.url.path)
        }
    }

    @Test func numberParsingIsCorrectlyRounded() throws {
        let samples = ["0.1", "-0.3", "1e-3", "123456789012345678", "0.000001", "3.14159265358979323846", "+2.5",
                       "1.", ".5", "7"]
        for text in samples {
            let bytes = Array(text.utf8)
            let parsed = bytes.withUnsafeBufferPointer { DataFile.parseDouble($0) }
            #expect(parsed == Double(text), "\(text)")
        }
        for text in ["", "abc", "nan", "inf", "0x10", "1e999", "1.2.3", "-"] {
            #expect(Array(text.utf8).withUnsafeBufferPointer { DataFile.parseDouble($0) } == nil, "\(text)")
        }
    }
}
