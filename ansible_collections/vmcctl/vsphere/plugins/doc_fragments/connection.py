"""Documentation of the connection options every vmcctl.vsphere module takes."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  hostname:
    description:
      - The vCenter to talk to, as a host name or address (C(vcenter.example)), with a port
        (C(vcenter.example:8443)) or as a full SDK URL (C(https://vcenter.example/sdk)).
      - A bare host name is reached over HTTPS at C(/sdk).
      - If not set, the environment variable E(VMCCTL_URL) is used, then E(GOVC_URL),
        as the vmcctl command line does.
    type: str
  port:
    description:
      - The port, when O(hostname) is a bare host name. Default 443.
    type: int
  username:
    description:
      - The vCenter user name.
      - If not set, E(VMCCTL_USERNAME) is used, then E(GOVC_USERNAME).
    type: str
    aliases: [user]
  password:
    description:
      - The vCenter password. Never logged, never returned.
      - If not set, E(VMCCTL_PASSWORD) is used, then E(GOVC_PASSWORD).
    type: str
    aliases: [pass, pwd]
  validate_certs:
    description:
      - Verify the vCenter's TLS certificate (against the system trust store and O(ca_file)).
      - Only this option turns verification off; E(VMCCTL_INSECURE) and E(GOVC_INSECURE)
        are ignored on purpose, so a variable left set in a shell cannot quietly switch
        verification off for a whole fleet.
    type: bool
    default: true
  ca_file:
    description:
      - A PEM file with the CA certificate (or the certificate) to trust for this vCenter.
      - If not set, E(VMCCTL_CA_FILE) is used, then E(GOVC_TLS_CA_CERTS).
    type: path
  context:
    description:
      - A named context of vmcctl's config file, as C(vmcctl config set-context) writes it.
        It gives the URL, the user name, the CA file and where the password comes from (an
        environment variable, a command or the keyring; never the file).
      - Its C(insecure) is not used; only O(validate_certs) turns verification off.
      - The file is E(VMCCTL_CONFIG), else C(~/.config/vmcctl/config.yaml) of the user the
        module runs as.
      - Give O(context) or O(hostname), not both. With neither, E(VMCCTL_CONTEXT) is
        used, then E(VMCCTL_URL) and E(GOVC_URL), then the file's current context.
    type: str
notes:
  - >-
    The modules run where the vmcctl library is installed, normally the controller
    (C(connection: local), with C(ansible_python_interpreter) pointing at the Python
    that has vmcctl). One inventory host per vCenter lets forks work on several
    vCenters in parallel.
  - The connection options can be set once for all modules of this collection with
    C(module_defaults) and the action group C(group/vmcctl.vsphere.vmcctl).
requirements:
  - python >= 3.11
  - vmcctl
  - pyVmomi
"""
