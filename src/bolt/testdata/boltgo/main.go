// boltgo: the real bbolt library (Debian's go.etcd.io/bbolt 1.3.6) driven by src/bolt's tests and
// benchmark. Built offline by src/bolt/testing.ts.
//
//	boltgo dump <db>                      check + every bucket/key/value + bucket stats, as JSON
//	boltgo write <spec.json> <db>         writes the entries of a spec with bbolt, in one tx
//	boltgo bench <data.bin> <db> <rounds> times writing length-prefixed records, in one tx
package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

type entry struct {
	P []string `json:"p"`
	K string   `json:"k"`
	V *string  `json:"v"`
}

type bucketStats struct {
	P []string         `json:"p"`
	S bolt.BucketStats `json:"s"`
	// Sequence of the bucket (always 0 for our files).
	Seq uint64 `json:"seq"`
}

type dump struct {
	Check    []string      `json:"check"`
	Walk     []string      `json:"walk"`
	PageSize int           `json:"pageSize"`
	Txid     int           `json:"txid"`
	Size     int64         `json:"size"`
	Entries  []entry       `json:"entries"`
	Stats    []bucketStats `json:"stats"`
}

func hexPath(path [][]byte) []string {
	out := make([]string, len(path))
	for i, p := range path {
		out[i] = hex.EncodeToString(p)
	}
	return out
}

func walk(d *dump, b *bolt.Bucket, path [][]byte) {
	d.Stats = append(d.Stats, bucketStats{P: hexPath(path), S: b.Stats(), Seq: b.Sequence()})
	var prev []byte
	_ = b.ForEach(func(k, v []byte) error {
		if prev != nil && bytes.Compare(prev, k) >= 0 {
			d.Walk = append(d.Walk, fmt.Sprintf("bucket %x: key %x not above %x", path, k, prev))
		}
		prev = append([]byte(nil), k...)
		e := entry{P: hexPath(path), K: hex.EncodeToString(k)}
		if v == nil {
			d.Entries = append(d.Entries, e)
			child := b.Bucket(k)
			if child == nil {
				d.Walk = append(d.Walk, fmt.Sprintf("bucket %x: nil value for %x but no bucket", path, k))
				return nil
			}
			walk(d, child, append(append([][]byte(nil), path...), prev))
			return nil
		}
		if !bytes.Equal(b.Get(k), v) {
			d.Walk = append(d.Walk, fmt.Sprintf("bucket %x: Get(%x) differs from ForEach", path, k))
		}
		s := hex.EncodeToString(v)
		e.V = &s
		d.Entries = append(d.Entries, e)
		return nil
	})
}

func runDump(path string) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	d := dump{Check: []string{}, Walk: []string{}, Entries: []entry{}, PageSize: db.Info().PageSize}
	err = db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			d.Check = append(d.Check, err.Error())
		}
		d.Txid = tx.ID()
		d.Size = tx.Size()
		walk(&d, tx.Cursor().Bucket(), nil)
		return nil
	})
	if err != nil {
		return err
	}
	w := bufio.NewWriter(os.Stdout)
	if err := json.NewEncoder(w).Encode(d); err != nil {
		return err
	}
	return w.Flush()
}

type spec struct {
	PageSize int     `json:"pageSize"`
	Fill     float64 `json:"fill"`
	Entries  []entry `json:"entries"`
}

func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func runWrite(specPath, out string) error {
	raw, err := os.ReadFile(specPath)
	if err != nil {
		return err
	}
	var s spec
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	db, err := bolt.Open(out, 0o600, &bolt.Options{PageSize: s.PageSize})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(func(tx *bolt.Tx) error {
		root := tx.Cursor().Bucket()
		root.FillPercent = s.Fill
		for _, e := range s.Entries {
			b := root
			for _, name := range e.P {
				if b, err = b.CreateBucketIfNotExists(unhex(name)); err != nil {
					return err
				}
				b.FillPercent = s.Fill
			}
			if e.V == nil {
				child, err := b.CreateBucketIfNotExists(unhex(e.K))
				if err != nil {
					return err
				}
				child.FillPercent = s.Fill
			} else if err := b.Put(unhex(e.K), unhex(*e.V)); err != nil {
				return err
			}
		}
		return nil
	})
}

type record struct {
	path [][]byte
	k, v []byte
}

func readChunk(r io.Reader) ([]byte, error) {
	var n uint32
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
		return nil, err
	}
	b := make([]byte, n)
	_, err := io.ReadFull(r, b)
	return b, err
}

func readRecords(path string) ([]record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	var out []record
	for {
		depth, err := r.ReadByte()
		if err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		rec := record{}
		for i := 0; i < int(depth); i++ {
			p, err := readChunk(r)
			if err != nil {
				return nil, err
			}
			rec.path = append(rec.path, p)
		}
		if rec.k, err = readChunk(r); err != nil {
			return nil, err
		}
		if rec.v, err = readChunk(r); err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
}

// One write as trivy-db does it (CreateBucketIfNotExists down the path, then Put), one tx, no
// syncs until a single fdatasync at the end (NoSync + NoGrowSync, then db.Sync()).
func benchOnce(records []record, out string, fill float64) (time.Duration, error) {
	_ = os.Remove(out)
	start := time.Now()
	db, err := bolt.Open(out, 0o600, &bolt.Options{NoSync: true, NoGrowSync: true, InitialMmapSize: 1 << 30})
	if err != nil {
		return 0, err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		tx.Cursor().Bucket().FillPercent = fill
		for _, rec := range records {
			b, err := tx.CreateBucketIfNotExists(rec.path[0])
			if err != nil {
				return err
			}
			b.FillPercent = fill
			for _, name := range rec.path[1:] {
				if b, err = b.CreateBucketIfNotExists(name); err != nil {
					return err
				}
				b.FillPercent = fill
			}
			if err := b.Put(rec.k, rec.v); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = db.Sync()
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return time.Since(start), err
}

func runBench(data, out, roundsArg, fillArg string) error {
	rounds, err := strconv.Atoi(roundsArg)
	if err != nil {
		return err
	}
	fill, err := strconv.ParseFloat(fillArg, 64)
	if err != nil {
		return err
	}
	records, err := readRecords(data)
	if err != nil {
		return err
	}
	best := time.Duration(1 << 62)
	for i := 0; i <= rounds; i++ { // round 0 warms up
		d, err := benchOnce(records, out, fill)
		if err != nil {
			return err
		}
		if i > 0 && d < best {
			best = d
		}
	}
	st, err := os.Stat(out)
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"ms": float64(best.Microseconds()) / 1000, "bytes": st.Size(), "records": len(records)})
}

func main() {
	var err error
	switch {
	case len(os.Args) == 3 && os.Args[1] == "dump":
		err = runDump(os.Args[2])
	case len(os.Args) == 4 && os.Args[1] == "write":
		err = runWrite(os.Args[2], os.Args[3])
	case len(os.Args) == 6 && os.Args[1] == "bench":
		err = runBench(os.Args[2], os.Args[3], os.Args[4], os.Args[5])
	default:
		err = fmt.Errorf("usage: boltgo dump <db> | write <spec.json> <db> | bench <data.bin> <db> <rounds> <fill>")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
