import HandoffTestSupport
import Testing
import YAMLNodes

@Suite("YAML loader")
struct YAMLLoaderTests {
    private func load(_ text: String, limits: YAMLLimits = .default) -> YAMLLoader.Result {
        YAMLLoader.load(text, path: "test.yaml", limits: limits)
    }

    @Test("scalars, lists and mappings carry 1-based lines and columns")
    func locations() throws {
        let input = MarkedText("""
            1️⃣people:
              2️⃣alice: { email: 3️⃣alice@example.com }
            4️⃣list:
              - 5️⃣one
            """)
        let result = load(input.text)
        #expect(result.errors.isEmpty)
        let root = try #require(result.root)
        #expect(root.start == input["1️⃣"])
        let pairs = try #require(root.mapping)
        #expect(pairs[0].key.start == input["1️⃣"])
        let alice = try #require(pairs[0].value.mapping?.first)
        #expect(alice.key.start == input["2️⃣"])
        #expect(alice.value["email"]?.start == input["3️⃣"])
        #expect(pairs[1].key.start == input["4️⃣"])
        #expect(pairs[1].value.sequence?.first?.start == input["5️⃣"])
        #expect(pairs[1].value.sequence?.first?.scalar?.value == "one")
    }

    @Test("columns count characters, not bytes")
    func columnsCountCharacters() throws {
        let input = MarkedText("name: \"Zoë Žák\"\nkey: 1️⃣ünïcode\n")
        let root = try #require(load(input.text).root)
        #expect(root["key"]?.start == input["1️⃣"])
        #expect(root["name"]?.scalar?.value == "Zoë Žák")
    }

    @Test("quoted scalars stay strings and keep their style")
    func quotedScalars() throws {
        let root = try #require(load("a: \"09:00\"\nb: 'no'\nc: no\nd: ~\ne: \"\"\n").root)
        #expect(root["a"]?.scalar == YAMLScalar("09:00", style: .doubleQuoted))
        #expect(root["b"]?.scalar == YAMLScalar("no", style: .singleQuoted))
        #expect(root["c"]?.scalar == YAMLScalar("no", style: .plain))
        #expect(root["d"]?.isNull == true)
        #expect(root["e"]?.isNull == false)
    }

    @Test("anchors and aliases share the anchored value")
    func anchorsAndAliases() throws {
        let result = load("""
            team: &team [alice, bob]
            primary: *team
            zone: &berlin Europe/Berlin
            other: *berlin
            """)
        #expect(result.errors.isEmpty)
        let root = try #require(result.root)
        #expect(root["primary"]?.sequence?.compactMap(\.scalar?.value) == ["alice", "bob"])
        #expect(root["other"]?.scalar?.value == "Europe/Berlin")
    }

    @Test("a merge key adds the keys a mapping does not set itself")
    func mergeKey() throws {
        let result = load("""
            defaults: &defaults
              time_zone: Europe/Berlin
              horizon: 8w
            schedule:
              <<: *defaults
              horizon: 4w
            """)
        #expect(result.errors.isEmpty)
        let schedule = try #require(result.root?["schedule"])
        #expect(schedule["time_zone"]?.scalar?.value == "Europe/Berlin")
        #expect(schedule["horizon"]?.scalar?.value == "4w")
        #expect(schedule.mapping?.count == 2)
    }

    @Test("a list of merge keys: earlier mappings win over later ones")
    func mergeKeyList() throws {
        let result = load("""
            a: &a { x: 1, y: 1 }
            b: &b { y: 2, z: 2 }
            c:
              <<: [*a, *b]
              z: 3
            """)
        #expect(result.errors.isEmpty)
        let c = try #require(result.root?["c"])
        #expect(c["x"]?.scalar?.value == "1")
        #expect(c["y"]?.scalar?.value == "1")
        #expect(c["z"]?.scalar?.value == "3")
    }

    @Test("a quoted \"<<\" is an ordinary key")
    func quotedMergeKeyIsOrdinary() throws {
        let root = try #require(load("'<<': value\n").root)
        #expect(root["<<"]?.scalar?.value == "value")
    }

    @Test("a merge key that is not a mapping is an error at its value")
    func mergeOfScalar() {
        let input = MarkedText("a:\n  <<: 1️⃣text\n")
        let result = load(input.text)
        #expect(result.errors == [YAMLError("a merge key (<<) takes a mapping or a list of mappings, not \"text\"", at: SourceLocation(path: "test.yaml", start: input["1️⃣"]))])
    }

    @Test("a duplicate key is an error at the second key, naming the line of the first")
    func duplicateKey() throws {
        let input = MarkedText("""
            people:
              alice: { email: a@example.com }
              bob: { email: b@example.com }
              1️⃣alice: { email: c@example.com }
            """)
        let result = load(input.text)
        #expect(result.errors == [YAMLError("duplicate key \"alice\"; it is already defined at line 2", at: SourceLocation(path: "test.yaml", start: input["1️⃣"]))])
        // The first definition is kept.
        #expect(result.root?["people"]?["alice"]?["email"]?.scalar?.value == "a@example.com")
    }

    @Test("an undefined alias is an error at the alias")
    func undefinedAlias() {
        let input = MarkedText("a: 1\nb: 1️⃣*missing\n")
        let result = load(input.text)
        #expect(result.errors == [YAMLError("undefined alias *missing; define the anchor &missing before using it", at: SourceLocation(path: "test.yaml", start: input["1️⃣"]))])
    }

    @Test("nesting beyond the bound is a clear error")
    func deepNesting() {
        let text = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        let result = load(text)
        #expect(result.root == nil)
        #expect(result.errors == [YAMLError("lists and mappings are nested more than 256 levels deep", at: SourceLocation(path: "test.yaml", line: 1, column: 257))])
    }

    @Test("a billion-laughs document stops at the node budget")
    func billionLaughs() {
        var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let previous = "*a\(level - 1)"
            text += "a\(level): &a\(level) [\(Array(repeating: previous, count: 10).joined(separator: ", "))]\n"
        }
        let result = load(text)
        #expect(result.root == nil)
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.message.hasPrefix("aliases expand this document to more than 1000000 values") == true)
        // a5 is the first level whose expansion passes a million values.
        #expect(result.errors.first?.location.line == 6)
    }

    @Test("an empty file, or one with only comments, holds no document")
    func emptyFile() {
        #expect(load("").root == nil)
        #expect(load("").errors.isEmpty)
        #expect(load("# nothing here\n\n").root == nil)
    }

    @Test("a second document is an error")
    func twoDocuments() {
        let input = MarkedText("a: 1\n1️⃣---\nb: 2\n")
        let result = load(input.text)
        #expect(result.errors == [YAMLError("a file holds one document, but a second document starts here; split it into two files", at: SourceLocation(path: "test.yaml", start: input["1️⃣"]))])
    }

    @Test(
        "libyaml's own errors carry the place of the problem",
        arguments: [
            ("a:\n  b: 1\n c: 2\n", 3, 2, "invalid YAML: did not find expected key, while parsing a block mapping at line 1, column 1"),
            ("a:\n\tb: 1\n", 2, 1, "invalid YAML: found character that cannot start any token, while scanning for the next token; YAML does not allow tabs for indentation, use spaces"),
            ("a: [1, 2\nb: 3\n", 2, 2, "invalid YAML: did not find expected ',' or ']', while parsing a flow sequence at line 1, column 4"),
            ("a: \"unclosed\n", 1, 14, "invalid YAML: found unexpected end of stream, while scanning a quoted scalar at line 1, column 4"),
        ] as [(String, Int, Int, String)]
    )
    func syntaxErrors(text: String, line: Int, column: Int, message: String) {
        let result = load(text)
        #expect(result.errors == [YAMLError(message, at: SourceLocation(path: "test.yaml", line: line, column: column))])
    }

    @Test("invalid UTF-8 is reported at the offending character")
    func invalidUTF8() {
        var bytes = Array("name: ok\nbad: ab".utf8)
        bytes.append(0xFF)
        bytes += Array("\n".utf8)
        let result = YAMLLoader.load(bytes, path: "test.yaml")
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.location == SourceLocation(path: "test.yaml", line: 2, column: 8))
        #expect(result.errors.first?.message.hasPrefix("invalid YAML: the file is not valid UTF-8") == true)
    }

    @Test("the source excerpt puts the caret under the column, keeping tabs")
    func excerpt() throws {
        let excerpt = try #require(SourceExcerpt.render("a: 1\n\tb: [x, y\n", at: Mark(line: 2, column: 5)))
        #expect(excerpt.line == "\tb: [x, y")
        #expect(excerpt.caret == "\t   ^")
        // A mark past the end of the line still gets a caret.
        let past = try #require(SourceExcerpt.render("ab\n", at: Mark(line: 1, column: 5)))
        #expect(past.caret == "    ^")
        #expect(SourceExcerpt.render("ab\n", at: Mark(line: 9, column: 1)) == nil)
    }
}
