import Testing
import ChartUI

@Suite struct KeyTests {
    @Test func controlCodesMapToKeys() {
        #expect(Key.control(code: 1) == .ctrl("a"))
        #expect(Key.control(code: 19) == .ctrl("s"))
        #expect(Key.control(code: 26) == .ctrl("z"))
        #expect(Key.control(code: 8) == .backspace)
        #expect(Key.control(code: 9) == .tab)
        #expect(Key.control(code: 10) == .enter)
        #expect(Key.control(code: 13) == .enter)
        #expect(Key.control(code: 0) == nil)
        #expect(Key.control(code: 27) == nil)
    }

    @Test func typingProducesCharactersInAnyScript() {
        #expect(Key.typing("Zoë 山\n") == [.character("Z"), .character("o"), .character("ë"), .character(" "), .character("山"), .enter])
    }

    @Test func labels() {
        #expect(Key.ctrl("s").label == "^S")
        #expect(Key.function(2).label == "F2")
        #expect(Key.character(" ").label == "Space")
        #expect(Key.escape.label == "Esc")
        #expect(Key.mouse(x: 1, y: 2) != Key.mouse(x: 2, y: 1))
    }
}
