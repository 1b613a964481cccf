"""Static files: content-hashed and compressed once collected, plain names before that."""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's manifest storage, which `credfile collectstatic` fills with hashed and
    compressed copies (served with a far-future Cache-Control). An instance that has not run
    collectstatic yet (a development checkout, the test suite) has no manifest: it names the
    files as they are in the package, which WhiteNoise serves through the finders, instead of
    failing on every page."""

    manifest_strict = False
    # The vendored Bootstrap names source maps that are not shipped; the references are left
    # as they are (a browser asks for the map only with its developer tools open).
    patterns = tuple(
        (extension, tuple(p for p in rules if "sourceMappingURL" not in str(p)))
        for extension, rules in CompressedManifestStaticFilesStorage.patterns
    )

    def stored_name(self, name: Any) -> str:
        if not self.hashed_files:
            return str(name)
        return super().stored_name(name)
