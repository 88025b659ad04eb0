package main

import (
	"encoding/json"
	"os/exec"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionOfBuildInfo(t *testing.T) {
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/paperseek/paperseek", Version: "v1.4.0"},
		Settings: []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "395da5e7898df38708a9e0dd6c205c63acedbd46"},
			{Key: "vcs.time", Value: "2026-12-02T12:58:36Z"}, {Key: "vcs.modified", Value: "true"}}}
	v := versionOf(info)
	if got, want := v.String(), "paperseek v1.4.0 commit 395da5e7898d 2026-12-02T12:58:36Z (modified) go1.26.8"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	b, _ := json.Marshal(v)
	if got, want := string(b), `{"version":"v1.4.0","commit":"395da5e7898df38708a9e0dd6c205c63acedbd46","time":"2026-12-02T12:58:36Z","modified":true,"go":"go1.26.8"}`; got != want {
		t.Errorf("JSON %s, want %s", got, want)
	}
	// Built outside a checkout: no commit, nothing made up.
	v = versionOf(&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}})
	if got, want := v.String(), "paperseek (devel) go1.26.8"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if b, _ := json.Marshal(v); string(b) != `{"version":"(devel)","go":"go1.26.8"}` {
		t.Errorf("JSON %s", b)
	}
}

// `paperseek --version`, `paperseek version` and `version --json` report
// what the Go toolchain recorded in the binary (`go version -m`).
func TestVersionE2E(t *testing.T) {
	out, err := exec.Command("go", "version", "-m", binary).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	want := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 3 && f[0] == "mod":
			want["version"] = f[2]
		case len(f) == 2 && f[0] == "build" && strings.HasPrefix(f[1], "vcs."):
			k, v, _ := strings.Cut(f[1], "=")
			want[strings.TrimPrefix(k, "vcs.")] = v
		case strings.HasPrefix(line, binary+": "):
			want["go"] = strings.TrimPrefix(line, binary+": ")
		}
	}
	if want["version"] == "" || want["go"] == "" {
		t.Fatalf("cannot read go version -m output:\n%s", out)
	}
	r := must(t, "version", "--json")
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("version --json: %v\n%s", err, r.stdout)
	}
	for _, k := range []string{"version", "go"} {
		if got[k] != want[k] {
			t.Errorf("version --json %s = %v, want %q", k, got[k], want[k])
		}
	}
	if got["commit"] != nil && got["commit"] != want["revision"] || got["commit"] == nil && want["revision"] != "" {
		t.Errorf("commit %v, go version -m says %q", got["commit"], want["revision"])
	}
	if got["time"] != nil && got["time"] != want["time"] || got["time"] == nil && want["time"] != "" {
		t.Errorf("time %v, go version -m says %q", got["time"], want["time"])
	}
	if m, ok := got["modified"].(bool); ok != (want["modified"] != "") || ok && (m != (want["modified"] == "true")) {
		t.Errorf("modified %v, go version -m says %q", got["modified"], want["modified"])
	}
	line := "paperseek " + want["version"]
	if c := want["revision"]; c != "" {
		line += " commit " + c[:12]
	}
	for _, flag := range [][]string{{"--version"}, {"version"}} {
		r := must(t, flag...)
		if !strings.HasPrefix(r.stdout, line) || !strings.HasSuffix(r.stdout, want["go"]+"\n") || strings.Count(r.stdout, "\n") != 1 {
			t.Errorf("paperseek %s printed %q, want one line starting %q", flag[0], r.stdout, line)
		}
	}
}
