import Foundation

/// A small built-in bitmap font for rendering plot text without a font library: 5×7-pixel
/// glyphs (capitals and digits 7 rows tall, lowercase x-height 5) on a 6-pixel advance, with two
/// more rows for the descenders of g j p q y , ; _ γ. It covers printable ASCII
/// (U+0020…U+007E) and the symbols the plots use: ε γ δ λ ± − (U+2212) × ·. Other characters
/// are drawn as a box (`BitmapFont.missingGlyph`).
///
/// Text is drawn at an integer `scale`: each font pixel becomes a `scale × scale` block, so
/// the result is crisp at any size. Positions are integer canvas pixels: `x` is the left end
/// (start) of the text and `baseline` the row boundary the glyph bodies rest on — the body
/// occupies rows `baseline − 7·scale ..< baseline`, descenders `baseline ..< baseline + 2·scale`.
/// Bold text widens every stroke by one canvas pixel to the right. Rotated text is turned
/// by −90° about its start point (it reads bottom to top, like an SVG `rotate(-90)` y label).
public struct BitmapFont: Sendable {
    /// One glyph: `rows` (top to bottom, `BitmapFont.rows` of them), bit 4 the leftmost of 5 columns.
    public struct Glyph: Sendable, Equatable {
        /// Row bit patterns.
        public let rows: [UInt8]

        /// Whether the pixel at (`row`, `column`) is set.
        public func isSet(row: Int, column: Int) -> Bool {
            row >= 0 && row < rows.count && column >= 0 && column < BitmapFont.glyphWidth
                && rows[row] >> UInt8(BitmapFont.glyphWidth - 1 - column) & 1 == 1
        }
    }

    /// Glyph width in font pixels.
    public static let glyphWidth = 5
    /// Rows above the baseline (cap height).
    public static let ascent = 7
    /// Rows below the baseline (descenders).
    public static let descent = 2
    /// Glyph rows in all: `ascent + descent`.
    public static let rows = ascent + descent
    /// Horizontal advance per character in font pixels (glyph width + 1 pixel spacing).
    public static let advance = 6

    /// The glyph drawn for characters the font lacks: a box outline over the glyph body.
    public static let missingGlyph = Glyph(rows: [0b11111, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b11111, 0, 0])

    /// The built-in font.
    public static let standard = BitmapFont()

    /// The glyphs by character.
    public let glyphs: [Character: Glyph]

    private init() {
        var glyphs: [Character: Glyph] = [:]
        for (c, art) in Self.table {
            var rows = art.split(separator: " ").map { row in
                row.reduce(UInt8(0)) { $0 << 1 | ($1 == "#" ? 1 : 0) }
            }
            while rows.count < Self.rows { rows.append(0) }
            glyphs[c] = Glyph(rows: rows)
        }
        self.glyphs = glyphs
    }

    /// Whether the font has a glyph for `c` (otherwise it draws `missingGlyph`).
    public func contains(_ c: Character) -> Bool { glyphs[c] != nil }

    /// The glyph for `c`, `missingGlyph` when there is none.
    public func glyph(_ c: Character) -> Glyph { glyphs[c] ?? Self.missingGlyph }

    /// The width in canvas pixels of `text` at `scale`: `(6·n − 1)·scale` for n characters
    /// (no spacing after the last), plus 1 when bold; 0 for empty text.
    public func width(of text: String, scale: Int, bold: Bool = false) -> Int {
        let n = text.count
        guard n > 0 else { return 0 }
        return (Self.advance * n - 1) * Swift.max(scale, 1) + (bold ? 1 : 0)
    }

    /// The rectangle (canvas pixels) `draw` may set pixels in, for the same arguments: the
    /// full body and descender height, `width(of:scale:bold:)` long.
    public func bounds(of text: String, x: Int, baseline: Int, scale: Int, bold: Bool = false,
                       rotated: Bool = false) -> RasterCanvas.Rectangle {
        let s = Swift.max(scale, 1)
        let w = Double(width(of: text, scale: s, bold: bold))
        let up = Double(Self.ascent * s), down = Double(Self.descent * s)
        if rotated {
            return RasterCanvas.Rectangle(x: Double(x) - up, y: Double(baseline) - w, width: up + down, height: w)
        }
        return RasterCanvas.Rectangle(x: Double(x), y: Double(baseline) - up, width: w, height: up + down)
    }

    /// Draws `text` on `canvas` starting at `x` on `baseline` (for rotated text, `x` is the
    /// baseline column and `baseline` the row the text starts at, reading upwards). `scale`
    /// below 1 is taken as 1.
    public func draw(_ text: String, on canvas: inout RasterCanvas, x: Int, baseline: Int, scale: Int,
                     color: RGBColor, bold: Bool = false, rotated: Bool = false) {
        let s = Swift.max(scale, 1)
        var pen = 0
        for c in text {
            let g = glyph(c)
            for r in 0..<Self.rows where g.rows[r] != 0 {
                for col in 0..<Self.glyphWidth where g.isSet(row: r, column: col) {
                    // The font pixel's block in text coordinates (origin at the start of the baseline, y down).
                    let x0 = pen + col * s, x1 = x0 + s + (bold ? 1 : 0)
                    let y0 = (r - Self.ascent) * s, y1 = y0 + s
                    let rect = rotated
                        ? RasterCanvas.Rectangle(x: Double(x + y0), y: Double(baseline - x1),
                                                 width: Double(y1 - y0), height: Double(x1 - x0))
                        : RasterCanvas.Rectangle(x: Double(x + x0), y: Double(baseline + y0),
                                                 width: Double(x1 - x0), height: Double(y1 - y0))
                    canvas.fill(rect, color: color)
                }
            }
            pen += Self.advance * s
        }
    }

    /// The glyph art: rows top to bottom ('#' set), 7 rows, or 9 with descenders.
    private static let table: [(Character, String)] = [
        (" ", "..... ..... ..... ..... ..... ..... ....."),
        ("!", "..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#.."),
        ("\"", ".#.#. .#.#. .#.#. ..... ..... ..... ....."),
        ("#", ".#.#. .#.#. ##### .#.#. ##### .#.#. .#.#."),
        ("$", "..#.. .#### #.#.. .###. ..#.# ####. ..#.."),
        ("%", "##... ##..# ...#. ..#.. .#... #..## ...##"),
        ("&", ".##.. #..#. #.#.. .#... #.#.# #..#. .##.#"),
        ("'", "..#.. ..#.. .#... ..... ..... ..... ....."),
        ("(", "...#. ..#.. .#... .#... .#... ..#.. ...#."),
        (")", ".#... ..#.. ...#. ...#. ...#. ..#.. .#..."),
        ("*", "..... ..#.. #.#.# .###. #.#.# ..#.. ....."),
        ("+", "..... ..#.. ..#.. ##### ..#.. ..#.. ....."),
        (",", "..... ..... ..... ..... ..... .##.. .##.. ..#.. .#..."),
        ("-", "..... ..... ..... .###. ..... ..... ....."),
        (".", "..... ..... ..... ..... ..... .##.. .##.."),
        ("/", "..... ....# ...#. ..#.. .#... #.... ....."),
        ("0", ".###. #...# #..## #.#.# ##..# #...# .###."),
        ("1", "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###."),
        ("2", ".###. #...# ....# ...#. ..#.. .#... #####"),
        ("3", "##### ...#. ..#.. ...#. ....# #...# .###."),
        ("4", "...#. ..##. .#.#. #..#. ##### ...#. ...#."),
        ("5", "##### #.... ####. ....# ....# #...# .###."),
        ("6", "..##. .#... #.... ####. #...# #...# .###."),
        ("7", "##### ....# ...#. ..#.. .#... .#... .#..."),
        ("8", ".###. #...# #...# .###. #...# #...# .###."),
        ("9", ".###. #...# #...# .#### ....# ...#. .##.."),
        (":", "..... .##.. .##.. ..... .##.. .##.. ....."),
        (";", "..... .##.. .##.. ..... .##.. .##.. ..#.. .#... ....."),
        ("<", "...#. ..#.. .#... #.... .#... ..#.. ...#."),
        ("=", "..... ..... ##### ..... ##### ..... ....."),
        (">", ".#... ..#.. ...#. ....# ...#. ..#.. .#..."),
        ("?", ".###. #...# ....# ...#. ..#.. ..... ..#.."),
        ("@", ".###. #...# ....# .##.# #.#.# #.#.# .###."),
        ("A", ".###. #...# #...# ##### #...# #...# #...#"),
        ("B", "####. #...# #...# ####. #...# #...# ####."),
        ("C", ".###. #...# #.... #.... #.... #...# .###."),
        ("D", "###.. #..#. #...# #...# #...# #..#. ###.."),
        ("E", "##### #.... #.... ####. #.... #.... #####"),
        ("F", "##### #.... #.... ####. #.... #.... #...."),
        ("G", ".###. #...# #.... #.### #...# #...# .####"),
        ("H", "#...# #...# #...# ##### #...# #...# #...#"),
        ("I", ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###."),
        ("J", "..### ...#. ...#. ...#. ...#. #..#. .##.."),
        ("K", "#...# #..#. #.#.. ##... #.#.. #..#. #...#"),
        ("L", "#.... #.... #.... #.... #.... #.... #####"),
        ("M", "#...# ##.## #.#.# #.#.# #...# #...# #...#"),
        ("N", "#...# #...# ##..# #.#.# #..## #...# #...#"),
        ("O", ".###. #...# #...# #...# #...# #...# .###."),
        ("P", "####. #...# #...# ####. #.... #.... #...."),
        ("Q", ".###. #...# #...# #...# #.#.# #..#. .##.#"),
        ("R", "####. #...# #...# ####. #.#.. #..#. #...#"),
        ("S", ".#### #.... #.... .###. ....# ....# ####."),
        ("T", "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#.."),
        ("U", "#...# #...# #...# #...# #...# #...# .###."),
        ("V", "#...# #...# #...# #...# #...# .#.#. ..#.."),
        ("W", "#...# #...# #...# #.#.# #.#.# #.#.# .#.#."),
        ("X", "#...# #...# .#.#. ..#.. .#.#. #...# #...#"),
        ("Y", "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#.."),
        ("Z", "##### ....# ...#. ..#.. .#... #.... #####"),
        ("[", ".###. .#... .#... .#... .#... .#... .###."),
        ("\\", "..... #.... .#... ..#.. ...#. ....# ....."),
        ("]", ".###. ...#. ...#. ...#. ...#. ...#. .###."),
        ("^", "..#.. .#.#. #...# ..... ..... ..... ....."),
        ("_", "..... ..... ..... ..... ..... ..... ..... ##### ....."),
        ("`", ".#... ..#.. ...#. ..... ..... ..... ....."),
        ("a", "..... ..... .###. ....# .#### #...# .####"),
        ("b", "#.... #.... #.##. ##..# #...# #...# ####."),
        ("c", "..... ..... .###. #.... #.... #...# .###."),
        ("d", "....# ....# .##.# #..## #...# #...# .####"),
        ("e", "..... ..... .###. #...# ##### #.... .###."),
        ("f", "..##. .#..# .#... ###.. .#... .#... .#..."),
        ("g", "..... ..... .#### #...# #...# #...# .#### ....# .###."),
        ("h", "#.... #.... #.##. ##..# #...# #...# #...#"),
        ("i", "..#.. ..... .##.. ..#.. ..#.. ..#.. .###."),
        ("j", "...#. ..... ..##. ...#. ...#. ...#. ...#. #..#. .##.."),
        ("k", "#.... #.... #..#. #.#.. ##... #.#.. #..#."),
        ("l", ".##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###."),
        ("m", "..... ..... ##.#. #.#.# #.#.# #.#.# #.#.#"),
        ("n", "..... ..... #.##. ##..# #...# #...# #...#"),
        ("o", "..... ..... .###. #...# #...# #...# .###."),
        ("p", "..... ..... ####. #...# #...# #...# ####. #.... #...."),
        ("q", "..... ..... .#### #...# #...# #...# .#### ....# ....#"),
        ("r", "..... ..... #.##. ##..# #.... #.... #...."),
        ("s", "..... ..... .###. #.... .###. ....# ####."),
        ("t", ".#... .#... ###.. .#... .#... .#..# ..##."),
        ("u", "..... ..... #...# #...# #...# #..## .##.#"),
        ("v", "..... ..... #...# #...# #...# .#.#. ..#.."),
        ("w", "..... ..... #...# #...# #.#.# #.#.# .#.#."),
        ("x", "..... ..... #...# .#.#. ..#.. .#.#. #...#"),
        ("y", "..... ..... #...# #...# #...# #...# .#### ....# .###."),
        ("z", "..... ..... ##### ...#. ..#.. .#... #####"),
        ("{", "..##. .#... .#... #.... .#... .#... ..##."),
        ("|", "..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#.."),
        ("}", ".##.. ...#. ...#. ....# ...#. ...#. .##.."),
        ("~", "..... ..... .#... #.#.# ...#. ..... ....."),
        ("ε", "..... ..... .#### #.... .###. #.... .####"),
        ("γ", "..... ..... #...# .#.#. .#.#. ..#.. ..#.. .#.#. ..#.."),
        ("δ", "..##. .#... ..#.. .###. #...# #...# .###."),
        ("λ", "#.... .#... .#... ..#.. .#.#. #...# #...#"),
        ("±", "..#.. ..#.. ##### ..#.. ..#.. ..... #####"),
        ("−", "..... ..... ..... ##### ..... ..... ....."),
        ("×", "..... #...# .#.#. ..#.. .#.#. #...# ....."),
        ("·", "..... ..... ..... ..#.. ..... ..... ....."),
    ]
}
