{{/*
Names, labels and small computed values shared by the templates.
*/}}

{{- define "aku-altibase.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* <release>-<chart>, or the release name alone when it already contains the chart name. */}}
{{- define "aku-altibase.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "aku-altibase.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels of the database pods. The component label keeps the helm test Pod out of the selectors. */}}
{{- define "aku-altibase.selectorLabels" -}}
app.kubernetes.io/name: {{ include "aku-altibase.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: altibase
{{- end -}}

{{/*
Labels of the pod template: no chart version (helm.sh/chart, app.kubernetes.io/version), so a
chart upgrade that changes nothing the pods read does not roll them (each restarted slave would
be truncated and SYNCed again).
*/}}
{{- define "aku-altibase.podLabels" -}}
app.kubernetes.io/name: {{ include "aku-altibase.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: aku
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Labels of every resource: the standard set plus commonLabels. */}}
{{- define "aku-altibase.labels" -}}
helm.sh/chart: {{ include "aku-altibase.chart" . }}
app.kubernetes.io/name: {{ include "aku-altibase.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: aku
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
metadata.annotations (commonAnnotations merged with the given extra map), already indented for a
metadata block; nothing at all when both are empty.
Usage: {{- include "aku-altibase.annotations" (dict "ctx" $ "extra" .Values.x.annotations) }}
*/}}
{{- define "aku-altibase.annotations" -}}
{{- $all := merge (deepCopy (.extra | default dict)) (.ctx.Values.commonAnnotations | default dict) -}}
{{- with $all -}}
{{- printf "annotations:\n%s" (toYaml . | indent 2) | nindent 2 -}}
{{- end -}}
{{- end -}}

{{/*
Pod host names `<statefulset>-<ordinal>.<headless service>` go into Altibase's replication host
column, SYS_REPL_HOSTS_.HOST_IP VARCHAR(64). With the default headless name `<statefulset>-hl` and a
one-digit ordinal (aku.serverCount <= 6), the host is 2 x name + 6 bytes: a derived StatefulSet name
may have 29 characters. A longer derived name (long release names) keeps its first 22 characters
and gets a 6-character hash of the whole, so two releases never share it; a name the user gave
(aku.stsName, aku.svcName, fullnameOverride) is used as given and checked in _validate.tpl.
*/}}
{{- define "aku-altibase.maxReplicationHostBytes" -}}{{ (include "aku-altibase.facts" . | fromJson).maxReplicationHostBytes }}{{- end -}}
{{- define "aku-altibase.maxDerivedStsName" -}}29{{- end -}}

{{/* AKU_STS_NAME and the StatefulSet's name (at most 52 characters: Kubernetes appends an 11-character revision hash in a 63-character label). */}}
{{- define "aku-altibase.stsName" -}}
{{- $full := include "aku-altibase.fullname" . -}}
{{- $max := int (include "aku-altibase.maxDerivedStsName" .) -}}
{{- if .Values.aku.stsName -}}
{{- .Values.aku.stsName -}}
{{- else if or .Values.fullnameOverride (le (len $full) $max) -}}
{{- $full -}}
{{- else -}}
{{- printf "%s-%s" ($full | trunc (sub $max 7 | int) | trimSuffix "-") ($full | sha256sum | trunc 6) -}}
{{- end -}}
{{- end -}}

{{/* AKU_SVC_NAME and the headless Service's name. */}}
{{- define "aku-altibase.headlessName" -}}
{{- default (printf "%s-hl" (include "aku-altibase.stsName" .)) .Values.aku.svcName -}}
{{- end -}}

{{/* The longest pod host aku writes into CREATE REPLICATION: the highest ordinal aku.serverCount allows. */}}
{{- define "aku-altibase.longestReplicationHost" -}}
{{- printf (include "aku-altibase.facts" . | fromJson).hostFormat (include "aku-altibase.stsName" .) (sub (int .Values.aku.serverCount) 1) (include "aku-altibase.headlessName" .) -}}
{{- end -}}

{{/* Client Service (Ready pods). */}}
{{- define "aku-altibase.serviceName" -}}
{{- include "aku-altibase.fullname" . -}}
{{- end -}}

{{/* Service selecting pod-0 only. */}}
{{- define "aku-altibase.masterServiceName" -}}
{{- printf "%s-master" (include "aku-altibase.fullname" . | trunc 56 | trimSuffix "-") -}}
{{- end -}}

{{/* The Service of the pods' `aku metrics` sidecars (metrics.enabled). */}}
{{- define "aku-altibase.metricsServiceName" -}}
{{- printf "%s-metrics" (include "aku-altibase.fullname" . | trunc 55 | trimSuffix "-") -}}
{{- end -}}

{{- define "aku-altibase.configMapName" -}}
{{- printf "%s-config" (include "aku-altibase.fullname" . | trunc 56 | trimSuffix "-") -}}
{{- end -}}

{{- define "aku-altibase.scriptsConfigMapName" -}}
{{- printf "%s-scripts" (include "aku-altibase.fullname" . | trunc 55 | trimSuffix "-") -}}
{{- end -}}

{{- define "aku-altibase.initScriptsConfigMapName" -}}
{{- if .Values.altibase.initScriptsConfigMap -}}
{{- .Values.altibase.initScriptsConfigMap -}}
{{- else -}}
{{- printf "%s-initdb" (include "aku-altibase.fullname" . | trunc 56 | trimSuffix "-") -}}
{{- end -}}
{{- end -}}

{{/*
The init scripts the chart renders into its ConfigMap: the user's, or, when none are given at
all, the sample schema the default aku.replications (SYS.T1) needs.
*/}}
{{- define "aku-altibase.initScripts" -}}
{{- if .Values.altibase.initScripts -}}
{{- toYaml .Values.altibase.initScripts -}}
{{- else if and .Values.altibase.sampleSchema (not .Values.altibase.initScriptsConfigMap) -}}
{{- toYaml (dict "00-aku-sample-schema.sql" (.Files.Get "files/sample-schema.sql")) -}}
{{- end -}}
{{- end -}}

{{- define "aku-altibase.hasInitScripts" -}}
{{- if or (include "aku-altibase.initScripts" .) .Values.altibase.initScriptsConfigMap -}}true{{- end -}}
{{- end -}}

{{- define "aku-altibase.testsConfigMapName" -}}
{{- printf "%s-tests" (include "aku-altibase.fullname" . | trunc 57 | trimSuffix "-") -}}
{{- end -}}

{{/* Secret holding the SYS password, and the key in it. */}}
{{- define "aku-altibase.secretName" -}}
{{- default (include "aku-altibase.fullname" .) .Values.auth.existingSecret -}}
{{- end -}}

{{- define "aku-altibase.initialSecretName" -}}
{{- printf "%s-initial" (include "aku-altibase.fullname" . | trunc 55 | trimSuffix "-") -}}
{{- end -}}

{{/* Where the pods read the passwords: the Secrets projected as files (auth.usePasswordFiles). */}}
{{- define "aku-altibase.secretsDir" -}}/opt/aku/secrets{{- end -}}

{{/*
The password volume: SYS's password (the chart's Secret or auth.existingSecret) and the initial
one, projected as read-only files <secretsDir>/sys-password and initial-sys-password.
Usage: include "aku-altibase.passwordVolume" (dict "ctx" $ "initial" true)
*/}}
{{- define "aku-altibase.passwordVolume" -}}
- name: passwords
  projected:
    # 0440 (decimal, so that every YAML reader agrees): owner and fsGroup may read
    defaultMode: 288
    sources:
      - secret:
          name: {{ include "aku-altibase.secretName" .ctx }}
          items:
            - key: {{ include "aku-altibase.secretPasswordKey" .ctx }}
              path: sys-password
      {{- if .initial }}
      - secret:
          name: {{ include "aku-altibase.initialSecretName" .ctx }}
          items:
            - key: initial-sys-password
              path: initial-sys-password
      {{- end }}
{{- end -}}

{{/* The password environment of a container: file paths, or (usePasswordFiles false) the values. */}}
{{- define "aku-altibase.passwordEnv" -}}
{{- if .ctx.Values.auth.usePasswordFiles }}
- name: AKU_SYS_PASSWORD_FILE
  value: {{ printf "%s/sys-password" (include "aku-altibase.secretsDir" .ctx) | quote }}
{{- if .initial }}
- name: AKU_SYS_INITIAL_PASSWORD_FILE
  value: {{ printf "%s/initial-sys-password" (include "aku-altibase.secretsDir" .ctx) | quote }}
{{- end }}
{{- else }}
- name: AKU_SYS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "aku-altibase.secretName" .ctx }}
      key: {{ include "aku-altibase.secretPasswordKey" .ctx }}
{{- if .initial }}
- name: AKU_SYS_INITIAL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "aku-altibase.initialSecretName" .ctx }}
      key: initial-sys-password
{{- end }}
{{- end }}
{{- end -}}

{{- define "aku-altibase.secretPasswordKey" -}}
{{- default "sys-password" .Values.auth.existingSecretPasswordKey -}}
{{- end -}}

{{- define "aku-altibase.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "aku-altibase.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
The API token for `aku -p end` in the Altibase container only: with rbac.create, unless
automountServiceAccountToken already mounts it in every container at the same path.
*/}}
{{- define "aku-altibase.mountsApiToken" -}}
{{- if and .Values.rbac.create (not .Values.serviceAccount.automountServiceAccountToken) -}}true{{- end -}}
{{- end -}}

{{/* Where Kubernetes mounts a service account's token, CA and namespace; client libraries look there. */}}
{{- define "aku-altibase.apiTokenDir" -}}/var/run/secrets/kubernetes.io/serviceaccount{{- end -}}

{{/* The volume of the API token, the cluster's CA and the namespace (mounted at apiTokenDir) for aku's reads of the API. */}}
{{- define "aku-altibase.apiTokenVolume" -}}
- name: kube-api-access
  projected:
    # 0444 (decimal): the token is read by the container's user whatever its UID
    defaultMode: 292
    sources:
      - serviceAccountToken:
          path: token
          expirationSeconds: 3607
      - configMap:
          name: kube-root-ca.crt
          items:
            - key: ca.crt
              path: ca.crt
      - downwardAPI:
          items:
            - path: namespace
              fieldRef:
                fieldPath: metadata.namespace
{{- end -}}

{{/* registry/repository:tag, or @digest when a digest is given; global.imageRegistry wins over image.registry. */}}
{{- define "aku-altibase.image" -}}
{{- $repo := .Values.image.repository -}}
{{- $registry := .Values.global.imageRegistry | default .Values.image.registry -}}
{{- if $registry -}}
{{- $repo = printf "%s/%s" $registry .Values.image.repository -}}
{{- end -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repo .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (default .Chart.AppVersion .Values.image.tag | toString) -}}
{{- end -}}
{{- end -}}

{{/* AKU_END_TIME_BUDGET: the part of the grace period `aku -p end` may use; the rest stops the server. */}}
{{- define "aku-altibase.endTimeBudget" -}}
{{- sub (int .Values.terminationGracePeriodSeconds) (int .Values.aku.endTimeMarginSeconds) -}}
{{- end -}}

{{/* 1 when aku needs REPLICATION_ALLOW_DUPLICATE_HOSTS (several groups point at the same peers). */}}
{{- define "aku-altibase.needsDuplicateHosts" -}}
{{- if gt (len .Values.aku.replications) 1 -}}true{{- end -}}
{{- end -}}

{{/* Where the chart mounts its files inside the Altibase container. */}}
{{- define "aku-altibase.scriptsDir" -}}/opt/aku/chart-scripts{{- end -}}
{{- define "aku-altibase.initScriptsDir" -}}/opt/aku/initdb{{- end -}}

{{/* The data directory the entrypoint keeps its markers in: the first persisted sub-path. */}}
{{- define "aku-altibase.stateDir" -}}
{{- printf "%s/%s/.aku" (trimSuffix "/" .Values.altibase.home) (first .Values.persistence.subPaths | default "dbs") -}}
{{- end -}}

{{/* 0/1 form of a boolean aku.conf property. */}}
{{- define "aku-altibase.flag" -}}
{{- if . -}}1{{- else -}}0{{- end -}}
{{- end -}}

{{/*
aku.conf. Everything aku reads except AKU_SYS_PASSWORD (Secret → environment) and
AKU_END_TIME_BUDGET (derived from the grace period, environment), which aku takes from the
environment. The replica count is deliberately absent: serverCount is the bound, so scaling never
changes this file and never restarts pods.
*/}}
{{- define "aku-altibase.akuConf" -}}
{{- $a := .Values.aku -}}
# aku.conf, rendered by the {{ .Chart.Name }} Helm chart from the release's values.
# Change the values and upgrade the release; do not edit this file in a pod.
# AKU_SYS_PASSWORD comes from {{ if .Values.auth.usePasswordFiles }}the file AKU_SYS_PASSWORD_FILE names{{ else }}the environment{{ end }} (Secret {{ include "aku-altibase.secretName" . }}, key {{ include "aku-altibase.secretPasswordKey" . }}).
# AKU_END_TIME_BUDGET comes from the environment (terminationGracePeriodSeconds minus a margin).
#=================================================================
# Kubernetes setting Properties
#=================================================================
AKU_STS_NAME                  = {{ include "aku-altibase.stsName" . }}
AKU_SVC_NAME                  = {{ include "aku-altibase.headlessName" . }}
AKU_SERVER_COUNT              = {{ int $a.serverCount }}
#=================================================================
# Common Properties
#=================================================================
AKU_PORT_NO                   = {{ int .Values.altibase.containerPorts.service }}
AKU_REPLICATION_PORT_NO       = {{ int .Values.altibase.containerPorts.replication }}
AKU_QUERY_TIMEOUT             = {{ int64 $a.queryTimeout }}
AKU_QUERY_RETRY_COUNT         = {{ int64 $a.queryRetryCount }}
AKU_QUERY_RETRY_DELAY_MSEC    = {{ int64 $a.queryRetryDelayMsec }}
AKU_CONNECT_TIMEOUT           = {{ int64 $a.connectTimeout }}
#=================================================================
# aku start/end Properties
#=================================================================
AKU_ADDRESS_CHECK_COUNT       = {{ int64 $a.addressCheckCount }}
AKU_FLUSH_AT_START            = {{ include "aku-altibase.flag" $a.flushAtStart }}
AKU_FLUSH_TIMEOUT_AT_START    = {{ int64 $a.flushTimeoutAtStart }}
AKU_DELAY_START_COMPLETE_TIME = {{ int64 $a.delayStartCompleteTime }}
AKU_FLUSH_AT_END              = {{ include "aku-altibase.flag" $a.flushAtEnd }}
AKU_REPLICATION_RESET_AT_END  = {{ include "aku-altibase.flag" $a.replicationResetAtEnd }}
#=================================================================
# Replication Properties
#=================================================================
REPLICATIONS = {{ range $g, $group := $a.replications }}{{ if $g }},
{{ end }}(
    REPLICATION_NAME_PREFIX = {{ $group.prefix }}
    SYNC_PARALLEL_COUNT     = {{ int ($group.syncParallelCount | default 1) }}
    (
{{- range $i, $item := $group.items }}
        {{ $item.user }}.{{ $item.table }}{{ with $item.partition }} PARTITION {{ . }}{{ end }}{{ if lt (add1 $i) (len $group.items) }},{{ end }}
{{- end }}
    )
){{ end }}
{{ end -}}

{{/*
Requests and limits from a Bitnami resources preset (their common chart's table, ephemeral storage
included). Usage: include "aku-altibase.resourcesPreset" (dict "type" "medium")
*/}}
{{- define "aku-altibase.resourcesPreset" -}}
{{- $presets := dict
  "nano" (dict "requests" (dict "cpu" "100m" "memory" "128Mi" "ephemeral-storage" "50Mi") "limits" (dict "cpu" "150m" "memory" "192Mi" "ephemeral-storage" "2Gi"))
  "micro" (dict "requests" (dict "cpu" "250m" "memory" "256Mi" "ephemeral-storage" "50Mi") "limits" (dict "cpu" "375m" "memory" "384Mi" "ephemeral-storage" "2Gi"))
  "small" (dict "requests" (dict "cpu" "500m" "memory" "512Mi" "ephemeral-storage" "50Mi") "limits" (dict "cpu" "750m" "memory" "768Mi" "ephemeral-storage" "2Gi"))
  "medium" (dict "requests" (dict "cpu" "500m" "memory" "1024Mi" "ephemeral-storage" "50Mi") "limits" (dict "cpu" "750m" "memory" "1536Mi" "ephemeral-storage" "2Gi"))
  "large" (dict "requests" (dict "cpu" "1.0" "memory" "2048Mi" "ephemeral-storage" "50Mi") "limits" (dict "cpu" "1.5" "memory" "3072Mi" "ephemeral-storage" "2Gi"))
  "xlarge" (dict "requests" (dict "cpu" "1.0" "memory" "3072Mi" "ephemeral-storage" "50Mi") "limits" (dict "cpu" "3.0" "memory" "6144Mi" "ephemeral-storage" "2Gi"))
  "2xlarge" (dict "requests" (dict "cpu" "1.0" "memory" "3072Mi" "ephemeral-storage" "50Mi") "limits" (dict "cpu" "6.0" "memory" "12288Mi" "ephemeral-storage" "2Gi"))
-}}
{{- if hasKey $presets .type -}}
{{- index $presets .type | toYaml -}}
{{- end -}}
{{- end -}}

{{/* A container's resources: `resources` when set, else the preset. Usage: include "aku-altibase.resources" (dict "resources" .Values.resources "preset" .Values.resourcesPreset) */}}
{{- define "aku-altibase.resources" -}}
{{- if .resources -}}
{{- toYaml .resources -}}
{{- else if and .preset (ne .preset "none") -}}
{{- include "aku-altibase.resourcesPreset" (dict "type" .preset) -}}
{{- end -}}
{{- end -}}

{{/* Labels of every pod of the release, database or test: what the NetworkPolicies admit as "own pods". */}}
{{- define "aku-altibase.releasePodLabels" -}}
app.kubernetes.io/name: {{ include "aku-altibase.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* imagePullSecrets of a pod: global.imagePullSecrets and image.pullSecrets (names or {name: ...}), once each. */}}
{{- define "aku-altibase.imagePullSecrets" -}}
{{- $names := list -}}
{{- range (concat (.Values.global.imagePullSecrets | default list) (.Values.image.pullSecrets | default list)) -}}
{{- if kindIs "map" . -}}
{{- $names = append $names .name -}}
{{- else -}}
{{- $names = append $names . -}}
{{- end -}}
{{- end -}}
{{- with ($names | uniq) }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end -}}
{{- end -}}

{{/*
A probe whose command runs aku's gate first and the custom probe's exec command only after it
passes: a custom probe adds to the gate, never replaces it.
Input: dict "gate" (list command...) "custom" (probe or {}) "defaults" (timing values)
*/}}
{{- define "aku-altibase.gatedProbe" -}}
{{- $command := .gate -}}
{{- $timing := .defaults -}}
{{- if .custom -}}
{{- $command = concat (list "/bin/bash" "-c" (printf "%s && exec \"$@\"" (join " " .gate)) "custom-probe") .custom.exec.command -}}
{{- $timing = merge (omit .custom "exec") .defaults -}}
{{- end -}}
exec:
  command:
    {{- toYaml $command | nindent 4 }}
{{- range $key := list "initialDelaySeconds" "periodSeconds" "timeoutSeconds" "failureThreshold" "successThreshold" }}
{{- if hasKey $timing $key }}
{{ $key }}: {{ int (get $timing $key) }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
The pods' affinity: `affinity` as given, else the presets (podAffinityPreset, podAntiAffinityPreset,
nodeAffinityPreset, Bitnami's shapes) combined.
*/}}
{{- define "aku-altibase.affinity" -}}
{{- if .Values.affinity -}}
{{- toYaml .Values.affinity -}}
{{- else -}}
{{- $term := dict "topologyKey" "kubernetes.io/hostname" "labelSelector" (dict "matchLabels" (include "aku-altibase.selectorLabels" . | fromYaml)) -}}
{{- $affinity := dict -}}
{{- range $kind, $preset := dict "podAffinity" .Values.podAffinityPreset "podAntiAffinity" .Values.podAntiAffinityPreset -}}
{{- if eq $preset "hard" -}}
{{- $_ := set $affinity $kind (dict "requiredDuringSchedulingIgnoredDuringExecution" (list $term)) -}}
{{- else if eq $preset "soft" -}}
{{- $_ := set $affinity $kind (dict "preferredDuringSchedulingIgnoredDuringExecution" (list (dict "weight" 100 "podAffinityTerm" $term))) -}}
{{- end -}}
{{- end -}}
{{- $node := .Values.nodeAffinityPreset -}}
{{- if and $node.type $node.key -}}
{{- $expression := dict "key" $node.key "operator" "In" "values" $node.values -}}
{{- if eq $node.type "hard" -}}
{{- $_ := set $affinity "nodeAffinity" (dict "requiredDuringSchedulingIgnoredDuringExecution" (dict "nodeSelectorTerms" (list (dict "matchExpressions" (list $expression))))) -}}
{{- else if eq $node.type "soft" -}}
{{- $_ := set $affinity "nodeAffinity" (dict "preferredDuringSchedulingIgnoredDuringExecution" (list (dict "weight" 1 "preference" (dict "matchExpressions" (list $expression))))) -}}
{{- end -}}
{{- end -}}
{{- with $affinity }}{{ toYaml . }}{{ end -}}
{{- end -}}
{{- end -}}
