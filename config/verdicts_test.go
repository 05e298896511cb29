package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestVerdictSettings(t *testing.T) {
	var v Verdicts
	if got := v.WithDefaults(); got != DefaultVerdicts() {
		t.Errorf("zero value with defaults: %+v", got)
	}
	if err := v.Set("verdicts.majority=0.8"); err != nil || v.Majority != 0.8 {
		t.Errorf("set majority: %v, %+v", err, v)
	}
	if err := v.Set("on_par=0.05"); err != nil || v.OnPar != 0.05 {
		t.Errorf("set on_par without prefix: %v, %+v", err, v)
	}
	for _, bad := range []string{"verdicts.nope=1", "verdicts.alpha=0.7", "verdicts.on_par=x", "majority"} {
		if err := v.Set(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	tp := reflect.TypeOf(Verdicts{})
	exported := 0
	for i := range tp.NumField() {
		if !tp.Field(i).IsExported() {
			continue
		}
		exported++
		k := "verdicts." + tp.Field(i).Tag.Get("json")
		if VerdictDocs[k] == "" {
			t.Errorf("%s has no documentation", k)
		}
		if err := v.Set(k + "=0.01"); err != nil {
			t.Errorf("%s cannot be set: %v", k, err)
		}
	}
	if len(VerdictDocs) != exported || !strings.HasPrefix(VerdictDocs["verdicts.alpha"], "one-sided") {
		t.Errorf("%d documented keys, %d fields", len(VerdictDocs), exported)
	}
}
