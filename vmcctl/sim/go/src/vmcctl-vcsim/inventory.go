package main

// The normalised inventory document written by vmcctl's Python side
// (InventorySpec.to_sim_json): every default is filled in and each
// datastore's host list is expanded, so no validation happens here.

import (
	"encoding/json"
	"fmt"
	"os"
)

type credentialsSpec struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type hostSpec struct {
	Name               string  `json:"name"`
	FaultDomain        string  `json:"fault_domain"`
	CPUCores           int     `json:"cpu_cores"`
	CPUMhzPerCore      int     `json:"cpu_mhz_per_core"`
	MemoryGB           float64 `json:"memory_gb"`
	BackgroundCPUMhz   int     `json:"background_cpu_mhz"`
	BackgroundMemoryGB float64 `json:"background_memory_gb"`
	MaxVMotions        int     `json:"max_vmotions"`
	Maintenance        bool    `json:"maintenance"`
	Connected          bool    `json:"connected"`
	Power              string  `json:"power"`      // on, standby (DPM)
	Quarantine         bool    `json:"quarantine"` // Proactive HA quarantine
	Datacenter         string  `json:"datacenter"`
}

type ruleSpec struct {
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	VMs     []string `json:"vms"`
	Hosts   []string `json:"hosts"`
	Enabled bool     `json:"enabled"`
}

type clusterSpec struct {
	Name       string     `json:"name"`
	Hosts      []hostSpec `json:"hosts"`
	Rules      []ruleSpec `json:"rules"`
	DRSEnabled bool       `json:"drs_enabled"`
	Datacenter string     `json:"datacenter"`
	// ResourcePools: paths under the root pool, parents first ("a", "a/b"); VApps: "name" or "pool/name"
	ResourcePools []string `json:"resource_pools"`
	VApps         []string `json:"vapps"`
}

type datastoreSpec struct {
	Name       string   `json:"name"`
	CapacityGB float64  `json:"capacity_gb"`
	FreeGB     float64  `json:"free_gb"`
	Hosts      []string `json:"hosts"`
	Datacenter string   `json:"datacenter"`
}

type vmSpec struct {
	Name             string   `json:"name"`
	Host             string   `json:"host"`
	CPUs             int      `json:"cpus"`
	MemoryGB         float64  `json:"memory_gb"`
	CPUUsageMhz      int      `json:"cpu_usage_mhz"`
	MemoryUsageGB    float64  `json:"memory_usage_gb"`    // kept for old files; Python fills the two below
	MemoryActiveGB   float64  `json:"memory_active_gb"`   // -> quickStats.guestMemoryUsage
	MemoryConsumedGB float64  `json:"memory_consumed_gb"` // -> quickStats.hostMemoryUsage
	Template         bool     `json:"template"`
	FT               string   `json:"ft"`         // "", primary, secondary
	Devices          []string `json:"devices"`    // passthrough, vgpu, cdrom-host
	Connection       string   `json:"connection"` // connected, disconnected, orphaned, inaccessible, invalid
	Power            string   `json:"power"`
	Datastore        string   `json:"datastore"`
	IP               *string  `json:"ip"`
	Folder           string   `json:"folder"`
	Pool             string   `json:"pool"` // path of its pool or vApp in its cluster; "" = root pool
	Datacenter       string   `json:"datacenter"`
	Path             string   `json:"path"` // /DC/vm/folder/name
	// hosts whose CPU features this VM's hardware needs are missing: vCenter's
	// compatibility check and the relocation fail with FeatureRequirementsNotMet
	IncompatibleHosts []string `json:"incompatible_hosts"`
}

type migrationSpec struct {
	BaseSeconds  float64 `json:"base_seconds"`
	SecondsPerGB float64 `json:"seconds_per_gb"`
}

// faultSpec is one injected fault, or (with Effect) a relocation that
// succeeds with a side effect; the same shape arrives on POST /_sim/faults.
// VM names the target: a VM (name, folder/name, full path or moid) or, for
// host methods, a host.
type faultSpec struct {
	VM         string  `json:"vm"`
	Method     string  `json:"method"`
	Fault      string  `json:"fault"`
	Message    string  `json:"message"`
	AtProgress int     `json:"at_progress"`
	Times      int     `json:"times"`
	Effect     *string `json:"effect"`  // reboot, power-off, land-on
	LandOn     *string `json:"land_on"` // host name for land-on
}

// userSpec is a user with only the listed privileges.
type userSpec struct {
	Username         string   `json:"username"`
	Password         string   `json:"password"`
	Privileges       []string `json:"privileges"`
	HiddenProperties []string `json:"hidden_properties"`
}

type inventorySpec struct {
	Datacenter  string          `json:"datacenter"`
	Datacenters []string        `json:"datacenters"`
	Credentials credentialsSpec `json:"credentials"`
	Users       []userSpec      `json:"users"`
	Clusters    []clusterSpec   `json:"clusters"`
	Datastores  []datastoreSpec `json:"datastores"`
	VMs         []vmSpec        `json:"vms"`
	Migration   migrationSpec   `json:"migration"`
	Faults      []faultSpec     `json:"faults"`
}

func loadInventory(path string) (*inventorySpec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read inventory: %w", err)
	}
	inv := &inventorySpec{}
	if err := json.Unmarshal(data, inv); err != nil {
		return nil, fmt.Errorf("inventory %s is not valid JSON: %w", path, err)
	}
	return inv, nil
}
