package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxFileSize bounds a config file: a config is a few kilobytes.
const maxFileSize = 1 << 20

// Builder accumulates the layers of a configuration: defaults, files, overrides.
type Builder struct {
	tree map[string]any
}

// NewBuilder starts from base (usually Default()).
func NewBuilder(base Config) *Builder {
	return &Builder{tree: toTree(base)}
}

func toTree(c Config) map[string]any {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err)
	}
	var t map[string]any
	if err := json.Unmarshal(b, &t); err != nil {
		panic(err)
	}
	return t
}

// File merges a YAML or JSON config file. Keys it does not set keep their values.
func (b *Builder) File(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if info.Size() > maxFileSize {
		return fmt.Errorf("config: %s is %d bytes; a config file is at most %d", path, info.Size(), maxFileSize)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := b.Bytes(raw, filepath.Ext(path) == ".json"); err != nil {
		return fmt.Errorf("config: %s: %w", path, err)
	}
	return nil
}

// Bytes merges a config given as YAML (or JSON, a subset of YAML, when isJSON).
func (b *Builder) Bytes(raw []byte, isJSON bool) error {
	var doc any
	if isJSON {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			return fmt.Errorf("not valid JSON: %w", err)
		}
		doc = fromJSONNumbers(doc)
	} else if err := yaml.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("not valid YAML: %w", err)
	}
	if doc == nil {
		return nil // an empty file changes nothing
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return errors.New("the top level must be a mapping of keys (seed, data, model, train)")
	}
	if err := checkKeys(reflect.TypeOf(Config{}), m, ""); err != nil {
		return err
	}
	merge(b.tree, m)
	return nil
}

func fromJSONNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		// A seed may be any uint64, above int64's range: as a float64 it would lose its
		// low bits, and no longer fit a uint64 once rounded up to 2^64.
		if u, err := strconv.ParseUint(x.String(), 10, 64); err == nil {
			return u
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = fromJSONNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = fromJSONNumbers(e)
		}
	}
	return v
}

// Set applies one override "path=value", e.g. "model.beta_max=0.9" or
// "model.edges=[{from: D1, to: E1}]". The value is read as YAML.
func (b *Builder) Set(assignment string) error {
	path, value, ok := strings.Cut(assignment, "=")
	if !ok {
		return fmt.Errorf("config: override %q is not key=value", assignment)
	}
	path = strings.TrimSpace(path)
	var v any
	if err := yaml.Unmarshal([]byte(value), &v); err != nil {
		return fmt.Errorf("config: %s: value %q is not valid YAML: %w", path, value, err)
	}
	if value == "" {
		v = ""
	}
	keys := strings.Split(path, ".")
	nested := v
	for i := len(keys) - 1; i >= 0; i-- {
		nested = map[string]any{keys[i]: nested}
	}
	if err := checkKeys(reflect.TypeOf(Config{}), nested.(map[string]any), ""); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	merge(b.tree, nested.(map[string]any))
	return nil
}

// Config decodes the merged layers and validates the result.
func (b *Builder) Config() (Config, error) {
	raw, err := json.Marshal(b.tree)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	var c Config
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Config{}, fmt.Errorf("config: %s: a %s cannot be %s", te.Field, te.Value, te.Type)
		}
		return Config{}, fmt.Errorf("config: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// checkKeys reports the first key of m that the struct type t does not have, with its path.
func checkKeys(t reflect.Type, v any, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			if v == nil {
				return nil
			}
			return fmt.Errorf("%s: want a mapping of keys, have %v", strings.TrimPrefix(path, "."), v)
		}
		fields := map[string]reflect.Type{}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name != "" && name != "-" {
				fields[name] = f.Type
			}
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ft, ok := fields[k]
			if !ok {
				known := slices.Sorted(maps.Keys(fields))
				return fmt.Errorf("unknown key %s (known here: %s)", strings.TrimPrefix(path+"."+k, "."), strings.Join(known, ", "))
			}
			if err := checkKeys(ft, m[k], path+"."+k); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if list, ok := v.([]any); ok {
			for i, e := range list {
				if err := checkKeys(t.Elem(), e, fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// merge copies src into dst; mappings merge key by key, everything else replaces.
func merge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				merge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

// Load is NewBuilder(Default()) with an optional file and overrides.
func Load(file string, overrides ...string) (Config, error) {
	b := NewBuilder(Default())
	if file != "" {
		if err := b.File(file); err != nil {
			return Config{}, err
		}
	}
	for _, o := range overrides {
		if err := b.Set(o); err != nil {
			return Config{}, err
		}
	}
	return b.Config()
}

// FromJSON decodes a configuration saved with a checkpoint or result, strictly. It is held to
// the size of a config file: decoding takes some 60 times the text's size in memory, and a
// checkpoint's header, where the text comes from, may be 100 MB.
func FromJSON(s string) (Config, error) {
	if len(s) > maxFileSize {
		return Config{}, fmt.Errorf("config: saved configuration is %d bytes; a configuration is at most %d", len(s), maxFileSize)
	}
	b := NewBuilder(Default())
	if err := b.Bytes([]byte(s), true); err != nil {
		return Config{}, fmt.Errorf("config: saved configuration: %w", err)
	}
	return b.Config()
}
