// Command vmcctl-stock-vcsim serves govmomi's simulator exactly as govmomi
// ships it: the default VPX model, no vmcctl extensions (no inventory file,
// no /_sim/ control endpoints, no relocation progress, no paging, no
// per-host load). vmcctl's contract tests run against it to check that what
// they assert does not depend on our own simulator.
//
// Usage: vmcctl-stock-vcsim [-listen 127.0.0.1:0] [-plain-http] [-cert-dir DIR]
// [-dc 1] [-cluster 1] [-host 3] [-standalone-host 1] [-vm 2] [-ds 1]
// [-pool 0] [-folder 0] [-pg 1] [-username U -password P]
//
// The count flags mean what they mean to govmomi's vcsim. The first stdout
// line is the SDK URL; with TLS, stderr carries "certificate: PATH".
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/vmware/govmomi/simulator"
)

func main() {
	os.Exit(run())
}

func run() int {
	model := simulator.VPX()
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on; port 0 picks a free port")
	plainHTTP := flag.Bool("plain-http", false, "serve plain HTTP instead of HTTPS")
	certDir := flag.String("cert-dir", "", "where to write the certificate PEM (default: a temp dir)")
	username := flag.String("username", "", "the only user accepted (default: any non-empty login)")
	password := flag.String("password", "", "that user's password")
	verbose := flag.Bool("verbose", false, "log the simulator's internal messages")
	flag.IntVar(&model.Datacenter, "dc", model.Datacenter, "number of datacenters")
	flag.IntVar(&model.Cluster, "cluster", model.Cluster, "number of clusters per datacenter")
	flag.IntVar(&model.ClusterHost, "host", model.ClusterHost, "number of hosts per cluster")
	flag.IntVar(&model.Host, "standalone-host", model.Host, "number of standalone hosts per datacenter")
	flag.IntVar(&model.Machine, "vm", model.Machine, "number of VMs per resource pool")
	flag.IntVar(&model.Datastore, "ds", model.Datastore, "number of datastores")
	flag.IntVar(&model.Pool, "pool", model.Pool, "number of child resource pools per cluster")
	flag.IntVar(&model.Folder, "folder", model.Folder, "number of folders per datacenter")
	flag.IntVar(&model.Portgroup, "pg", model.Portgroup, "number of port groups per datacenter")
	flag.Parse()
	if (*username == "") != (*password == "") {
		fmt.Fprintln(os.Stderr, "error: give both -username and -password, or neither")
		return 2
	}
	log.SetFlags(0)
	log.SetPrefix("vcsim: ")
	if !*verbose {
		log.SetOutput(io.Discard)
	}
	if err := model.Create(); err != nil {
		fmt.Fprintln(os.Stderr, "error: creating the model:", err)
		return 1
	}
	defer model.Remove()
	model.Service.Listen = &url.URL{Host: *listen}
	if *username != "" {
		model.Service.Listen.User = url.UserPassword(*username, *password)
	}
	if !*plainHTTP {
		dir, cleanup, err := certificateDir(*certDir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			return 1
		}
		defer cleanup()
		cert, path, err := newCertificate(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "error: certificate:", err)
			return 1
		}
		model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		fmt.Fprintf(os.Stderr, "certificate: %s\n", path)
	}
	server := model.Service.NewServer()
	defer server.Close()
	u := *server.URL
	u.User = nil
	fmt.Println(u.String())
	_ = os.Stdout.Sync()
	count := model.Count()
	fmt.Fprintf(os.Stderr, "serving govmomi's stock VPX model: %d datacenters, %d hosts, %d VMs\n",
		count.Datacenter, count.Host, count.Machine)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	return 0
}

// certificateDir is dir, or a fresh temp dir removed by cleanup when dir is empty.
func certificateDir(dir string) (string, func(), error) {
	if dir != "" {
		return dir, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "vmcctl-stock-vcsim-")
	if err != nil {
		return "", nil, err
	}
	return tmp, func() { _ = os.RemoveAll(tmp) }, nil
}
