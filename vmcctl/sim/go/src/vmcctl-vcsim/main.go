// Command vmcctl-vcsim is vmcctl's vCenter simulator: govmomi's simulator
// package, loaded with an inventory from vmcctl's YAML schema and made
// faithful where vmcctl depends on it (relocation progress and queues,
// maintenance mode, paging, faults, per-host load, audit).
//
// Usage: vmcctl-vcsim -inventory FILE.json [-listen 127.0.0.1:0]
// [-time-scale 1.0] [-plain-http] [-cert-dir DIR]
//
// The first stdout line is the SDK URL; stderr carries "certificate: PATH".
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"
)

func main() {
	os.Exit(run())
}

func run() int {
	invPath := flag.String("inventory", "", "normalised inventory JSON (required)")
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on; port 0 picks a free port")
	timeScale := flag.Float64("time-scale", 1.0, "divide modelled durations by this factor")
	plainHTTP := flag.Bool("plain-http", false, "serve plain HTTP instead of HTTPS")
	certDir := flag.String("cert-dir", "", "where to write the certificate PEM (default: a temp dir)")
	verbose := flag.Bool("verbose", false, "log the simulator's internal messages")
	flag.Parse()
	if *invPath == "" || *timeScale <= 0 {
		fmt.Fprintln(os.Stderr, "usage: vmcctl-vcsim -inventory FILE.json [-listen ADDR] [-time-scale X] [-plain-http] [-cert-dir DIR]")
		return 2
	}
	log.SetFlags(0)
	log.SetPrefix("vcsim: ")
	if !*verbose {
		log.SetOutput(io.Discard) // govmomi logs every WaitForUpdates round
	}
	started := time.Now()
	inv, err := loadInventory(*invPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		return 2
	}
	s := newSim(inv, *timeScale)
	model := newModel()
	if err := model.Create(); err != nil {
		fmt.Fprintln(os.Stderr, "error: creating the model:", err)
		return 1
	}
	if err := s.build(context.Background(), model); err != nil {
		fmt.Fprintln(os.Stderr, "error: building the inventory:", err)
		return 1
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error: cannot listen:", err)
		return 1
	}
	addr := ln.Addr().(*net.TCPAddr)
	scheme := "https"
	if *plainHTTP {
		scheme = "http"
	}
	svc := model.Service
	// govmomi accepts any non-empty login; the front checks the inventory's
	// credentials and users itself (sessions.go).
	svc.Listen = &url.URL{Scheme: scheme, Host: addr.String()}
	srv := &http.Server{Handler: newRouter(s, svc), ReadHeaderTimeout: 30 * time.Second}
	if !*plainHTTP {
		dir := *certDir
		if dir == "" {
			if dir, err = os.MkdirTemp("", "vmcctl-vcsim-"); err != nil {
				fmt.Fprintln(os.Stderr, "error:", err)
				return 1
			}
			defer os.RemoveAll(dir)
		}
		cert, path, err := selfSignedCert(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "error: certificate:", err)
			return 1
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, srv.TLSConfig)
		fmt.Fprintf(os.Stderr, "certificate: %s\n", path)
	}
	fmt.Printf("%s://%s/sdk\n", scheme, addr.String())
	_ = os.Stdout.Sync()
	fmt.Fprintf(os.Stderr, "serving %d hosts, %d VMs (ready in %.2f s)\n",
		len(s.hosts), len(s.vmsByRef), time.Since(started).Seconds())

	errs := make(chan error, 1)
	go func() { errs <- srv.Serve(ln) }()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-sig:
	case err := <-errs:
		fmt.Fprintln(os.Stderr, "error: server stopped:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
	return 0
}

// newRouter sends /sdk to the front controller, /_sim/ to the control
// endpoints and everything else to the simulator's own mux.
func newRouter(s *sim, svc *simulator.Service) http.Handler {
	svc.RegisterSDK(simulator.Map)
	svc.ServeMux.HandleFunc("/sdk/vimServiceVersions.xml", svc.ServiceVersions)
	svc.ServeMux.HandleFunc("/about", svc.About)
	sdk := newFront(s, svc)
	ctl := newControl(s)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/sdk":
			sdk.ServeHTTP(w, r)
		case len(r.URL.Path) >= 6 && r.URL.Path[:6] == "/_sim/":
			ctl.ServeHTTP(w, r)
		default:
			svc.ServeMux.ServeHTTP(w, r)
		}
	})
}
