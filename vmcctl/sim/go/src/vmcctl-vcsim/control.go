package main

// Control endpoints for tests and rehearsals, on the SDK's port, plain JSON
// and no authentication: GET /_sim/health, GET /_sim/audit,
// POST /_sim/faults, POST /_sim/sessions/expire.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
)

type control struct{ s *sim }

func newControl(s *sim) *control { return &control{s: s} }

func writeJSON(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func (c *control) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route := r.Method + " " + r.URL.Path
	switch route {
	case "GET /_sim/health":
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	case "GET /_sim/audit":
		data, err := c.s.auditJSON()
		if err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(data)
	case "POST /_sim/faults":
		c.addFault(w, r)
	case "POST /_sim/sessions/expire":
		n := c.s.sess.expireAll()
		writeJSON(w, http.StatusOK, map[string]int{"expired": n})
	default:
		writeError(w, http.StatusNotFound, "no such endpoint: "+route)
	}
}

func (c *control) addFault(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "cannot read the body")
		return
	}
	var f faultSpec
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		writeError(w, http.StatusBadRequest, "body must be a JSON object {vm, method, fault, message, at_progress, times, effect, land_on}: "+err.Error())
		return
	}
	if err := normaliseFault(&f); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.addFault(f); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, f)
}
