// k8s_yaml_to_json.go -- prints what Kubernetes' YAML reader makes of each
// input line, to check the expected values of tests/unit/test_yaml_doc.c
// against the real thing (sigs.k8s.io/yaml on go-yaml v2).  Not built by
// make; run it by hand on Debian with the packaged Go sources:
//
//   apt-get install golang-go golang-k8s-sigs-yaml-dev golang-gopkg-yaml.v2-dev
//   printf 'v: 08\non: 1\\ntrue: 2\n' |
//     GO111MODULE=off GOPATH=/usr/share/gocode go run k8s_yaml_to_json.go
//
// Each line is one YAML text, "\n" standing for a line break; the output is
// YAMLToJSONStrict's JSON or its error.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"sigs.k8s.io/yaml"
)

func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		in := strings.ReplaceAll(sc.Text(), "\\n", "\n")
		j, err := yaml.YAMLToJSONStrict([]byte(in))
		if err != nil {
			fmt.Printf("%-40q ERR %v\n", in, err)
		} else {
			fmt.Printf("%-40q %s\n", in, j)
		}
	}
}
