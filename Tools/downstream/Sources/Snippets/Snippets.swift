// The snippets of README.md, Docs/*.md and Sources/*/*.docc are compiled here: scripts/check-snippets.sh
// writes one file per ```swift block into Generated/ (git-ignored) and builds this target.
// Nothing calls them; compiling against the public API is the check.
