# Reference oracle for src/versions/gem.ts: Ruby's Gem::Version (run with Debian's `ruby`).
# Reads one JSON array [a, b] per line on stdin, writes one JSON array per line:
# [a_valid, b_valid, cmp] where valid is Gem::Version.correct? and cmp is <=> (-1/0/1), or null
# when either side is invalid. Used by scripts/vectors/gem-generate.mjs and src/versions/gem.test.ts.
require 'json'
require 'rubygems'

$stdout.sync = false
$stdin.each_line do |line|
  a, b = JSON.parse(line)
  ok_a = Gem::Version.correct?(a)
  ok_b = Gem::Version.correct?(b)
  cmp = ok_a && ok_b ? (Gem::Version.new(a) <=> Gem::Version.new(b)) : nil
  $stdout.write(JSON.generate([ok_a, ok_b, cmp]), "\n")
end
