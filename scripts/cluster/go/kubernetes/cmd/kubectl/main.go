// kubectl of the same Kubernetes release (k8s.io/kubectl, a staging module), built by
// scripts/cluster/build-tools.sh. The machine's own kubectl, if any, is not used.
package main

import (
	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"
)

func main() {
	// RunNoErrOutput leaves the message to CheckErr, which prints it the way kubectl users know.
	if err := cli.RunNoErrOutput(cmd.NewDefaultKubectlCommand()); err != nil {
		util.CheckErr(err)
	}
}
