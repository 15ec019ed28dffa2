import Testing
@testable import FocalCore

@Suite("ClosestNames")
struct ClosestNamesTests {
    @Test("edit distance: Levenshtein, case-insensitive")
    func distance() {
        #expect(ClosestNames.editDistance("kitten", "sitting") == 3)
        #expect(ClosestNames.editDistance("", "abc") == 3)
        #expect(ClosestNames.editDistance("Dice", "dice") == 0)
        #expect(ClosestNames.editDistance("--mask", "--masks") == 1)
        #expect(ClosestNames.editDistance("flaw", "lawn") == 2)
    }

    @Test("suggestions: closest first, at most the limit, none for an unlike name")
    func suggestions() {
        let losses = ["dice_loss", "tversky_loss", "focal_tversky_loss", "sym_unified_focal_loss", "asym_unified_focal_loss"]
        #expect(ClosestNames.suggestions(for: "asym_unifed_focal_loss", among: losses) == ["asym_unified_focal_loss", "sym_unified_focal_loss"])
        #expect(ClosestNames.suggestions(for: "dice_los", among: losses, limit: 1) == ["dice_loss"])
        #expect(ClosestNames.suggestions(for: "xyzzy_qq", among: losses).isEmpty)
        #expect(ClosestNames.suggestions(for: "--mask", among: ["--images", "--masks", "--mask-pattern"]) == ["--masks", "--mask-pattern"])
        #expect(ClosestNames.alternatives(["a"]) == "'a'")
        #expect(ClosestNames.alternatives(["a", "b", "c"]) == "'a', 'b' or 'c'")
    }
}
