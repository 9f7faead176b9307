// Command gocompare is the reference for the go version scheme: for each line "A<TAB>B" on stdin it
// prints "C VA VB", where C is golang.org/x/mod/semver.Compare(A, B) and VA/VB are 1 when the version
// is a canonical Go module version (semver.IsValid and module.CanonicalVersion(v) == v), else 0.
// Built in GOPATH mode against Debian's golang-golang-x-mod-dev, offline:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o gocompare ./scripts/vectors/gocompare
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

func canonical(v string) int {
	if semver.IsValid(v) && module.CanonicalVersion(v) == v {
		return 1
	}
	return 0
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		a, b, _ := strings.Cut(in.Text(), "\t")
		fmt.Fprintf(out, "%d %d %d\n", semver.Compare(a, b), canonical(a), canonical(b))
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
