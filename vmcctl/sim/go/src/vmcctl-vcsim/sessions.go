package main

// Session bookkeeping on top of the simulator's own: which session cookies
// are known good, and which were dropped by POST /_sim/sessions/expire
// (those get NotAuthenticated until the client logs in again). Cookie
// values are kept in memory only and never logged.

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

type sessions struct {
	mu    sync.Mutex
	live  map[string]bool
	dead  map[string]bool
	users map[string]string // cookie -> user name, for sessions made by Login
}

func newSessions() *sessions {
	return &sessions{live: map[string]bool{}, dead: map[string]bool{}, users: map[string]string{}}
}

// bornAs notes a new session and who logged in with it.
func (s *sessions) bornAs(id, user string) {
	s.born(id)
	if user != "" {
		s.mu.Lock()
		s.users[id] = user
		s.mu.Unlock()
	}
}

// owner is the user name a session was made for ("" if unknown).
func (s *sessions) owner(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users[id]
}

func sessionCookie(r *http.Request) string {
	if c, err := r.Cookie(soap.SessionCookieName); err == nil {
		return c.Value
	}
	return ""
}

func (s *sessions) born(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.dead[id] {
		s.live[id] = true
	}
}

func (s *sessions) isDead(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dead[id]
}

func (s *sessions) forget(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.live, id)
}

// alive says whether the cookie names a usable session; unknown cookies are
// checked once with the simulator (probe) and remembered.
func (s *sessions) alive(id string, probe func() bool) bool {
	if id == "" {
		return false
	}
	s.mu.Lock()
	dead, live := s.dead[id], s.live[id]
	s.mu.Unlock()
	if dead {
		return false
	}
	if live {
		return true
	}
	if !probe() {
		return false
	}
	s.born(id)
	return true
}

// expireAll drops every session known so far.
func (s *sessions) expireAll() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.live)
	for id := range s.live {
		s.dead[id] = true
	}
	s.live = map[string]bool{}
	return n
}

const probeBody = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><CurrentTime xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></CurrentTime></soapenv:Body></soapenv:Envelope>`

// probe asks the simulator whether the request's session cookie is valid.
func (f *front) probe(r *http.Request) bool {
	req := httptest.NewRequest(http.MethodPost, "/sdk", bytes.NewBufferString(probeBody))
	for _, c := range r.Cookies() {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	f.svc.ServeSDK(rec, req)
	return rec.Code == http.StatusOK
}

// login checks the credentials itself (govmomi is told to accept any), so
// that the inventory's users can log in too, and audits the attempt: the
// user name and the outcome, never the password.
func (f *front) login(w http.ResponseWriter, r *http.Request, body []byte, req *types.Login) {
	s := f.s
	entry := s.recordSimple("Login", auditTarget{Type: "SessionManager", Moid: req.This.Value, Name: "SessionManager"},
		map[string]interface{}{"userName": req.UserName})
	if !s.checkLogin(req.UserName, req.Password) {
		fault := newFault("Cannot complete login due to an incorrect user name or password.", &types.InvalidLogin{})
		s.finishSimple(entry, fault)
		writeFault(w, fault)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	watch := &cookieWatch{ResponseWriter: w, s: s.sess, user: req.UserName}
	f.svc.ServeSDK(watch, r)
	var fault *soapFault
	if watch.code != http.StatusOK {
		fault = newFault("login refused", &types.InvalidLogin{})
	}
	s.finishSimple(entry, fault)
}
