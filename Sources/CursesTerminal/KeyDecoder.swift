import CNcursesW
import ChartUI

/// Turns what `wget_wch` returns into `Key`s.
enum KeyDecoder {
    /// A character code (wget_wch returned OK).
    static func character(_ code: Int32) -> Key {
        switch code {
        case 27: return .escape
        case 127: return .backspace
        case 0: return .ctrl(" ")  // ^Space / ^@
        // The GS1 group separator (^]) a barcode scanner types between fields: passed on as the
        // character it is, for the needle lot field to read; text fields drop it like any control.
        case 29: return .character(Character(Unicode.Scalar(29)))
        case 1...31: return Key.control(code: Int(code)) ?? .unknown
        default:
            guard let scalar = Unicode.Scalar(UInt32(bitPattern: code)), !(0x80...0x9F).contains(scalar.value) else { return .unknown }
            return .character(Character(scalar))
        }
    }

    /// A KEY_ code (wget_wch returned KEY_CODE_YES).
    static func keyCode(_ code: Int32) -> Key {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_ENTER: return .enter
        case KEY_BTAB: return .backTab
        case KEY_RESIZE: return .resize
        case nc_key_f(1)...nc_key_f(63): return .function(Int(code - nc_key_f(0)))
        default: return .unknown
        }
    }
}
