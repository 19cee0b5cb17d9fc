{{/*
`helm upgrade --set replicaCount=N` without --reuse-values (what many users type) takes every other
value from the chart's defaults: a release installed with its own replication groups or its own
image would have its pods rolled onto the defaults. The guard compares what the running release
uses — aku.conf's replication topology (AKU_STS_NAME, AKU_SVC_NAME, AKU_SERVER_COUNT, REPLICATIONS)
and the image repository — with what this upgrade would render, and refuses a difference with a
message, unless upgradeGuard.enabled is false. Scaling with --reuse-values, or with -f the values
file the release was installed with, never trips it. Without a cluster (helm template, lint)
lookup finds nothing and the guard is silent.
*/}}

{{/* The running release's objects; the one place the guard reads the cluster (tests replace it). */}}
{{- define "aku-altibase.liveObjects" -}}
{{- $cm := lookup "v1" "ConfigMap" .Release.Namespace (include "aku-altibase.configMapName" .) -}}
{{- $sts := lookup "apps/v1" "StatefulSet" .Release.Namespace (include "aku-altibase.stsName" .) -}}
{{- $image := "" -}}
{{- if $sts -}}
{{- range $sts.spec.template.spec.containers }}{{ if eq .name "altibase" }}{{ $image = .image }}{{ end }}{{ end -}}
{{- end -}}
{{- toJson (dict "akuConf" (dig "data" "aku.conf" "" ($cm | default dict)) "image" $image) -}}
{{- end -}}

{{/* The lines of aku.conf that decide which replication objects exist. */}}
{{- define "aku-altibase.replicationTopology" -}}
{{- $keep := list -}}
{{- $inReplications := false -}}
{{- range (splitList "\n" .) -}}
{{- if regexMatch "^(AKU_STS_NAME|AKU_SVC_NAME|AKU_SERVER_COUNT)\\s*=" . -}}
{{- $keep = append $keep (regexReplaceAll "\\s+" . " ") -}}
{{- else if regexMatch "^REPLICATIONS\\s*=" . -}}
{{- $inReplications = true -}}
{{- end -}}
{{- if and $inReplications (not (hasPrefix "#" .)) -}}
{{- $keep = append $keep (regexReplaceAll "\\s+" (trim .) " ") -}}
{{- end -}}
{{- end -}}
{{- join "\n" $keep -}}
{{- end -}}

{{/* image reference without its tag or digest */}}
{{- define "aku-altibase.imageRepository" -}}
{{- regexReplaceAll "(@sha256:[0-9a-f]+|:[^:/@]+)$" . "" -}}
{{- end -}}

{{- define "aku-altibase.upgradeGuard" -}}
{{- if and .Release.IsUpgrade .Values.upgradeGuard.enabled -}}
{{- $live := include "aku-altibase.liveObjects" . | fromJson -}}
{{- $problems := list -}}
{{- if $live.akuConf -}}
{{- $was := include "aku-altibase.replicationTopology" $live.akuConf -}}
{{- $now := include "aku-altibase.replicationTopology" (include "aku-altibase.akuConf" .) -}}
{{- if ne $was $now -}}
{{- $problems = append $problems (printf "the replication configuration in aku.conf would change from\n      %s\n    to\n      %s" (replace "\n" "\n      " $was) (replace "\n" "\n      " $now)) -}}
{{- end -}}
{{- end -}}
{{- if $live.image -}}
{{- $wasRepo := include "aku-altibase.imageRepository" $live.image -}}
{{- $nowRepo := include "aku-altibase.imageRepository" (include "aku-altibase.image" .) -}}
{{- if ne $wasRepo $nowRepo -}}
{{- $problems = append $problems (printf "the image would change from %s to %s" $wasRepo $nowRepo) -}}
{{- end -}}
{{- end -}}
{{- if $problems -}}
{{- fail (printf "\n\n%s: this upgrade would restart every pod with other settings than the running release's:\n  - %s\nIf you meant to scale or change one value, keep the others: `helm upgrade %s <chart> --reuse-values --set replicaCount=N` (or pass -f the values file you installed with). To make this change deliberately, add --set upgradeGuard.enabled=false (docs/chart.md, \"Upgrades\")." .Chart.Name (join "\n  - " $problems) .Release.Name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
