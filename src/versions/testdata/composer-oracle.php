<?php
// Reference oracle for src/versions/composer.ts: composer/semver's VersionParser::normalize and
// PHP's version_compare (run with Debian's php-cli and php-composer-semver). Reads one JSON array
// [a, b] per line on stdin, writes one JSON array per line:
// [a_normalized|null, b_normalized|null, version_compare(a', b'), version_compare(b', a')]
// (null = normalize threw; the comparisons are null unless both normalized).
// Used by scripts/vectors/composer-generate.mjs and src/versions/composer.test.ts.
require '/usr/share/php/Composer/Semver/autoload.php';

use Composer\Semver\VersionParser;

$parser = new VersionParser();
$normalize = function ($v) use ($parser) {
    try {
        return $parser->normalize($v);
    } catch (\UnexpectedValueException $e) {
        return null;
    }
};
while (($line = fgets(STDIN)) !== false) {
    list($a, $b) = json_decode($line, true);
    $na = $normalize($a);
    $nb = $normalize($b);
    $both = $na !== null && $nb !== null;
    echo json_encode(array($na, $nb, $both ? version_compare($na, $nb) : null, $both ? version_compare($nb, $na) : null),
        JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE), "\n";
}
