// trivylookup reads a Trivy DB v2 file with real bbolt, read-only, and answers lookups the way
// trivy's pkg/db does: when the bucket name contains "::" every top-level bucket starting with it
// is visited (cursor Seek over the root), else the exact bucket; each root's data source comes
// from the "data-source" bucket; empty values are skipped; a later root overwrites an earlier one
// for the same id. It also runs tx.Check and reads `vulnerability` entries.
//
// Usage: trivylookup <trivy.db> '<json: {"lookups":[{"bucket":"npm::","pkg":"lodash"}],"vulnerabilities":["CVE-…"]}>'
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	bolt "go.etcd.io/bbolt"
)

type query struct {
	Lookups         []struct{ Bucket, Pkg string } `json:"lookups"`
	Vulnerabilities []string                       `json:"vulnerabilities"`
}

type found struct {
	Root    string          `json:"root"`
	Source  json.RawMessage `json:"source"`
	Content json.RawMessage `json:"content"`
}

type answer struct {
	Bucket string           `json:"bucket"`
	Pkg    string           `json:"pkg"`
	Found  map[string]found `json:"found"`
}

type output struct {
	Check           []string                   `json:"check"`
	Buckets         []string                   `json:"buckets"`
	Lookups         []answer                   `json:"lookups"`
	Vulnerabilities map[string]json.RawMessage `json:"vulnerabilities"`
}

func roots(tx *bolt.Tx, name string) []string {
	if !strings.Contains(name, "::") {
		return []string{name}
	}
	var out []string
	c := tx.Cursor()
	prefix := []byte(name)
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		out = append(out, string(k))
	}
	return out
}

func lookup(tx *bolt.Tx, bucket, pkg string) map[string]found {
	result := map[string]found{}
	for _, root := range roots(tx, bucket) {
		source := json.RawMessage("null")
		if ds := tx.Bucket([]byte("data-source")); ds != nil {
			if v := ds.Get([]byte(root)); v != nil {
				source = append(json.RawMessage(nil), v...)
			}
		}
		b := tx.Bucket([]byte(root))
		if b == nil {
			continue
		}
		pb := b.Bucket([]byte(pkg))
		if pb == nil {
			continue
		}
		_ = pb.ForEach(func(k, v []byte) error {
			if len(v) == 0 {
				return nil
			}
			result[string(k)] = found{Root: root, Source: source, Content: append(json.RawMessage(nil), v...)}
			return nil
		})
	}
	return result
}

func run(path string, q query) (output, error) {
	out := output{Check: []string{}, Buckets: []string{}, Lookups: []answer{}, Vulnerabilities: map[string]json.RawMessage{}}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		return out, err
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		for e := range tx.Check() {
			out.Check = append(out.Check, e.Error())
		}
		_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			out.Buckets = append(out.Buckets, string(name))
			return nil
		})
		for _, l := range q.Lookups {
			out.Lookups = append(out.Lookups, answer{Bucket: l.Bucket, Pkg: l.Pkg, Found: lookup(tx, l.Bucket, l.Pkg)})
		}
		vb := tx.Bucket([]byte("vulnerability"))
		for _, id := range q.Vulnerabilities {
			v := vb.Get([]byte(id)) // trivy reads this bucket without a nil check
			if v == nil {
				out.Vulnerabilities[id] = json.RawMessage("null")
			} else {
				out.Vulnerabilities[id] = append(json.RawMessage(nil), v...)
			}
		}
		return nil
	})
	return out, err
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: trivylookup <trivy.db> <query json>")
		os.Exit(2)
	}
	var q query
	if err := json.Unmarshal([]byte(os.Args[2]), &q); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out, err := run(os.Args[1], q)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
