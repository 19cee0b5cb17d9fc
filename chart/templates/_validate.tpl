{{/*
Value checks a JSON schema cannot express (byte lengths, identifiers, one value against another).
Every problem is collected, then one `fail` reports them all, each line naming the value.
Called from the StatefulSet template, so `helm template`, `helm install` and `helm upgrade` all stop
before anything reaches the cluster.
*/}}

{{/* Facts shared with aku and the pod scripts, generated from src/ (scripts/generate-shared-facts.ts). */}}
{{- define "aku-altibase.facts" -}}
{{- .Files.Get "files/aku-facts.json" -}}
{{- end -}}

{{/*
Checks one Altibase name. Input: dict "path" "value" "max" "what" "reserved"; output: a problem line or "".
*/}}
{{- define "aku-altibase.validate.identifier" -}}
{{- $v := .value -}}
{{- if or (kindIs "invalid" $v) (eq (toString $v) "") -}}
{{ .path }}: is missing; {{ .what }} is required
{{- else if not (kindIs "string" $v) -}}
{{ .path }}: {{ toJson $v }} is not a string; write {{ .what }} as text
{{- else if not (regexMatch "^[A-Za-z_][A-Za-z0-9_$]*$" $v) -}}
{{ .path }}: {{ $v | quote }} is not an Altibase identifier (a letter or _ followed by letters, digits, _ or $; quoted names are not supported)
{{- else if gt (len $v) (int .max) -}}
{{ .path }}: {{ $v | quote }} is {{ len $v }} bytes; {{ .why }}
{{- else if has (upper $v) .reserved -}}
{{ .path }}: {{ $v | quote }} is an Altibase reserved word; choose another name
{{- end -}}
{{- end -}}

{{/* Checks an integer value against a range. Input: dict "path" "value" "min" "max" "why"; output: a problem line or "". */}}
{{- define "aku-altibase.validate.range" -}}
{{- $v := .value -}}
{{- if or (kindIs "invalid" $v) (not (or (kindIs "float64" $v) (kindIs "int64" $v) (kindIs "int" $v))) -}}
{{ .path }}: {{ toJson $v }} is not a number; {{ .why }}
{{- else if ne (float64 $v) (float64 (int64 $v)) -}}
{{ .path }}: {{ $v }} is not a whole number; {{ .why }}
{{- else if or (lt (int64 $v) (int64 .min)) (gt (int64 $v) (int64 .max)) -}}
{{ .path }}: {{ int64 $v }} is out of range; {{ .why }}
{{- end -}}
{{- end -}}

{{- define "aku-altibase.validateValues" -}}
{{- $errs := list -}}
{{- $facts := include "aku-altibase.facts" . | fromJson -}}
{{- $reserved := $facts.reservedWords -}}
{{- $props := $facts.integerProperties -}}
{{- $a := .Values.aku -}}

{{/* --- sizes: replicas and serverCount --- */}}
{{- $sc := $props.AKU_SERVER_COUNT -}}
{{- $scErr := include "aku-altibase.validate.range" (dict "path" "aku.serverCount" "value" $a.serverCount "min" $sc.min "max" $sc.max "why" (printf "AKU_SERVER_COUNT must be %v..%v (Altibase 7.3.0.0.4 and later replicate at most 6 pods; 7.1 at most 4)" $sc.min $sc.max)) -}}
{{- if $scErr }}{{ $errs = append $errs $scErr }}{{ end -}}
{{- $rcErr := include "aku-altibase.validate.range" (dict "path" "replicaCount" "value" .Values.replicaCount "min" 0 "max" $sc.max "why" (printf "replicaCount must be 0..aku.serverCount, and aku.serverCount is at most %v" $sc.max)) -}}
{{- if $rcErr }}{{ $errs = append $errs $rcErr }}{{ end -}}
{{- if and (not $scErr) (not $rcErr) (gt (int .Values.replicaCount) (int $a.serverCount)) -}}
{{- $errs = append $errs (printf "replicaCount: %d is more than aku.serverCount (%d); aku replicates at most AKU_SERVER_COUNT pods: raise aku.serverCount (at most %v) or scale to %d or fewer" (int .Values.replicaCount) (int $a.serverCount) $sc.max (int $a.serverCount)) -}}
{{- end -}}
{{- $e := "" -}}

{{/* --- ports --- */}}
{{- $ports := .Values.altibase.containerPorts -}}
{{- range $key := list "service" "replication" -}}
{{- $pr := $props.AKU_PORT_NO -}}
{{- $e = include "aku-altibase.validate.range" (dict "path" (printf "altibase.containerPorts.%s" $key) "value" (get $ports $key) "min" $pr.min "max" $pr.max "why" (printf "Altibase ports (AKU_PORT_NO, AKU_REPLICATION_PORT_NO) must be %v..%v" $pr.min $pr.max)) -}}
{{- if $e }}{{ $errs = append $errs $e }}{{ end -}}
{{- end -}}
{{- if eq (toString $ports.service) (toString $ports.replication) -}}
{{- $errs = append $errs (printf "altibase.containerPorts.replication: %v is also the service port; the server needs two different ports" $ports.replication) -}}
{{- end -}}
{{- $e = include "aku-altibase.validate.range" (dict "path" "service.port" "value" .Values.service.port "min" 1 "max" 65535 "why" "a Service port must be 1..65535") -}}
{{- if $e }}{{ $errs = append $errs $e }}{{ end -}}
{{- $e = include "aku-altibase.validate.range" (dict "path" "masterService.port" "value" .Values.masterService.port "min" 1 "max" 65535 "why" "a Service port must be 1..65535") -}}
{{- if $e }}{{ $errs = append $errs $e }}{{ end -}}

{{/* --- scalar aku.conf properties --- */}}
{{/* value key, aku.conf property, unit: the ranges are aku's own (aku-facts.json) */}}
{{- $ranges := list
  (list "queryTimeout" "AKU_QUERY_TIMEOUT" " seconds")
  (list "queryRetryCount" "AKU_QUERY_RETRY_COUNT" "")
  (list "queryRetryDelayMsec" "AKU_QUERY_RETRY_DELAY_MSEC" " milliseconds")
  (list "addressCheckCount" "AKU_ADDRESS_CHECK_COUNT" " tries")
  (list "flushTimeoutAtStart" "AKU_FLUSH_TIMEOUT_AT_START" " seconds (0: FLUSH ALL)")
  (list "delayStartCompleteTime" "AKU_DELAY_START_COMPLETE_TIME" " seconds")
  (list "connectTimeout" "AKU_CONNECT_TIMEOUT" " seconds")
-}}
{{- range $r := $ranges -}}
{{- $range := get $props (index $r 1) -}}
{{- $e = include "aku-altibase.validate.range" (dict "path" (printf "aku.%s" (index $r 0)) "value" (get $a (index $r 0)) "min" $range.min "max" $range.max "why" (printf "%s is %v..%v%s" (index $r 1) (int64 $range.min) (int64 $range.max) (index $r 2))) -}}
{{- if $e }}{{ $errs = append $errs $e }}{{ end -}}
{{- end -}}
{{- $e = include "aku-altibase.validate.range" (dict "path" "aku.endTimeMarginSeconds" "value" $a.endTimeMarginSeconds "min" 0 "max" 3600 "why" "the margin is 0..3600 seconds") -}}
{{- if $e }}{{ $errs = append $errs $e }}{{ end -}}
{{- $budget := sub (int .Values.terminationGracePeriodSeconds) (int $a.endTimeMarginSeconds) -}}
{{- if lt $budget 10 -}}
{{- $errs = append $errs (printf "terminationGracePeriodSeconds: %d minus aku.endTimeMarginSeconds (%d) leaves AKU_END_TIME_BUDGET = %d s for `aku -p end`; it needs at least 10 s: raise terminationGracePeriodSeconds" (int .Values.terminationGracePeriodSeconds) (int $a.endTimeMarginSeconds) $budget) -}}
{{- end -}}
{{- $rec := .Values.reconcile -}}
{{- if and $rec.enabled (lt (int $rec.activeDeadlineSeconds) (add (int $rec.waitSeconds) 30)) -}}
{{- $errs = append $errs (printf "reconcile.activeDeadlineSeconds: %d leaves the reconcile Job less than 30 s after its wait (reconcile.waitSeconds %d); raise it to at least %d" (int $rec.activeDeadlineSeconds) (int $rec.waitSeconds) (add (int $rec.waitSeconds) 30)) -}}
{{- end -}}
{{- if gt (int $a.startRetry.initialDelaySeconds) (int $a.startRetry.maxDelaySeconds) -}}
{{- $errs = append $errs (printf "aku.startRetry.initialDelaySeconds: %d is more than aku.startRetry.maxDelaySeconds (%d)" (int $a.startRetry.initialDelaySeconds) (int $a.startRetry.maxDelaySeconds)) -}}
{{- end -}}

{{/* --- names: StatefulSet and headless Service --- */}}
{{- $sts := include "aku-altibase.stsName" . -}}
{{- if gt (len $sts) 52 -}}
{{- $errs = append $errs (printf "aku.stsName: %q is %d characters; a StatefulSet name may have at most 52 (Kubernetes adds an 11-character revision hash in a 63-character label)" $sts (len $sts)) -}}
{{- else if not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" $sts) -}}
{{- $errs = append $errs (printf "aku.stsName: %q is not a DNS label (lower-case letters, digits and '-'); pod host names are built from it" $sts) -}}
{{- end -}}
{{- $svc := include "aku-altibase.headlessName" . -}}
{{- if gt (len $svc) 63 -}}
{{- $errs = append $errs (printf "aku.svcName: %q is %d characters; AKU_SVC_NAME and Service names are at most 63" $svc (len $svc)) -}}
{{- else if not (regexMatch "^[a-z]([-a-z0-9]*[a-z0-9])?$" $svc) -}}
{{- $errs = append $errs (printf "aku.svcName: %q is not a Service name (a DNS label starting with a letter)" $svc) -}}
{{- end -}}
{{- $host := include "aku-altibase.longestReplicationHost" . -}}
{{- $hostMax := int (include "aku-altibase.maxReplicationHostBytes" .) -}}
{{- if and (not $scErr) (gt (len $host) $hostMax) -}}
{{- $errs = append $errs (printf "aku.stsName / aku.svcName: the pod host %q is %d bytes, but Altibase keeps at most %d bytes of a replication host (SYS_REPL_HOSTS_.HOST_IP): shorten aku.stsName, aku.svcName or fullnameOverride (whichever you set; unset, the chart derives names that fit)" $host (len $host) $hostMax) -}}
{{- end -}}
{{- if eq $svc (include "aku-altibase.serviceName" .) -}}
{{- $errs = append $errs (printf "aku.svcName: %q is also the client Service's name; choose another name for the headless Service" $svc) -}}
{{- end -}}

{{/* --- replication groups --- */}}
{{- $groups := $a.replications -}}
{{- if not (kindIs "slice" $groups) -}}
{{- $errs = append $errs "aku.replications: must be a list of groups {prefix, syncParallelCount, items}" -}}
{{- else if eq (len $groups) 0 -}}
{{- $errs = append $errs "aku.replications: is empty; aku needs at least one REPLICATIONS group with at least one table" -}}
{{- else -}}
{{- $seen := dict -}}
{{- range $g, $group := $groups -}}
{{- $gp := printf "aku.replications[%d]" $g -}}
{{- if not (kindIs "map" $group) -}}
{{- $errs = append $errs (printf "%s: must be a map {prefix, syncParallelCount, items}" $gp) -}}
{{- else -}}
{{- $e = include "aku-altibase.validate.identifier" (dict "path" (printf "%s.prefix" $gp) "value" $group.prefix "max" $facts.maxPrefixBytes "what" "REPLICATION_NAME_PREFIX" "reserved" $reserved "why" (printf "Altibase replication names are at most %v bytes, so the prefix may have at most %v (aku appends _<i><j>)" $facts.maxReplicationNameBytes $facts.maxPrefixBytes)) -}}
{{- if $e -}}
{{- $errs = append $errs $e -}}
{{- else -}}
{{- $key := upper $group.prefix -}}
{{- if hasKey $seen $key -}}
{{- $errs = append $errs (printf "%s.prefix: %q is already the prefix of aku.replications[%v]; every group needs its own prefix (names are compared in upper case)" $gp $group.prefix (get $seen $key)) -}}
{{- else -}}
{{- $_ := set $seen $key $g -}}
{{- end -}}
{{- end -}}
{{- if hasKey $group "syncParallelCount" -}}
{{- $e = include "aku-altibase.validate.range" (dict "path" (printf "%s.syncParallelCount" $gp) "value" $group.syncParallelCount "min" $facts.syncParallelCount.min "max" $facts.syncParallelCount.max "why" (printf "SYNC_PARALLEL_COUNT is %v..%v" $facts.syncParallelCount.min $facts.syncParallelCount.max)) -}}
{{- if $e }}{{ $errs = append $errs $e }}{{ end -}}
{{- end -}}
{{- if or (not (kindIs "slice" $group.items)) (eq (len ($group.items | default list)) 0) -}}
{{- $errs = append $errs (printf "%s.items: needs at least one table {user, table[, partition]}" $gp) -}}
{{- else -}}
{{- $items := dict -}}
{{- range $i, $item := $group.items -}}
{{- $ip := printf "%s.items[%d]" $gp $i -}}
{{- if not (kindIs "map" $item) -}}
{{- $errs = append $errs (printf "%s: must be a map {user, table[, partition]}" $ip) -}}
{{- else -}}
{{- $why := printf "Altibase user, table and partition names are at most %v bytes" $facts.maxObjectNameBytes -}}
{{- $e = include "aku-altibase.validate.identifier" (dict "path" (printf "%s.user" $ip) "value" $item.user "max" $facts.maxObjectNameBytes "what" "the table's owner (user)" "reserved" $reserved "why" $why) -}}
{{- if $e }}{{ $errs = append $errs $e }}{{ end -}}
{{- $e = include "aku-altibase.validate.identifier" (dict "path" (printf "%s.table" $ip) "value" $item.table "max" $facts.maxObjectNameBytes "what" "the table name" "reserved" $reserved "why" $why) -}}
{{- if $e }}{{ $errs = append $errs $e }}{{ end -}}
{{- if hasKey $item "partition" -}}
{{- $e = include "aku-altibase.validate.identifier" (dict "path" (printf "%s.partition" $ip) "value" $item.partition "max" $facts.maxObjectNameBytes "what" "the partition name (or leave the key out)" "reserved" $reserved "why" $why) -}}
{{- if $e }}{{ $errs = append $errs $e }}{{ end -}}
{{- end -}}
{{- $ikey := upper (printf "%v.%v.%v" $item.user $item.table ($item.partition | default "")) -}}
{{- if hasKey $items $ikey -}}
{{- $errs = append $errs (printf "%s: %v.%v%s is listed twice in the group (also at items[%v])" $ip $item.user $item.table (ternary (printf " PARTITION %v" $item.partition) "" (hasKey $item "partition")) (get $items $ikey)) -}}
{{- else -}}
{{- $_ := set $items $ikey $i -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{/* every pod holds (serverCount - 1) objects per group; the server refuses more than REPLICATION_MAX_COUNT */}}
{{- $max := int (get (.Values.altibase.properties | default dict) "REPLICATION_MAX_COUNT" | default 32) -}}
{{- if not $scErr -}}
{{- $objects := mul (sub (int $a.serverCount) 1) (len $groups) -}}
{{- if gt $objects $max -}}
{{- $errs = append $errs (printf "aku.replications: %d groups x (aku.serverCount %d - 1) = %d replication objects per pod, more than the server's REPLICATION_MAX_COUNT (%d); set altibase.properties.REPLICATION_MAX_COUNT or use fewer groups" (len $groups) (int $a.serverCount) $objects $max) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* --- server properties the chart owns --- */}}
{{- range $name, $value := (.Values.altibase.properties | default dict) -}}
{{- if has (upper $name) (list "ADMIN_MODE" "REMOTE_SYSDBA_ENABLE" "PORT_NO" "REPLICATION_PORT_NO" "REPLICATION_ALLOW_DUPLICATE_HOSTS") -}}
{{- $errs = append $errs (printf "altibase.properties.%s: is set by the chart (aku needs its value); remove it (ports: altibase.containerPorts)" $name) -}}
{{- else if not (regexMatch "^[A-Z][A-Z0-9_]*$" $name) -}}
{{- $errs = append $errs (printf "altibase.properties.%s: is not an Altibase property name (upper-case letters, digits and _)" $name) -}}
{{- end -}}
{{- end -}}

{{/* --- metrics: the sidecar shares the pod's network namespace with the Altibase server --- */}}
{{- $m := .Values.metrics -}}
{{- $e = include "aku-altibase.validate.range" (dict "path" "metrics.port" "value" $m.port "min" 1 "max" 65535 "why" "a port must be 1..65535") -}}
{{- if $e }}{{ $errs = append $errs $e }}{{ end -}}
{{- if and $m.enabled (has (toString $m.port) (list (toString $ports.service) (toString $ports.replication))) -}}
{{- $errs = append $errs (printf "metrics.port: %v is also an Altibase port (altibase.containerPorts); the sidecar listens in the same pod: choose another" $m.port) -}}
{{- end -}}
{{- if and $m.serviceMonitor.enabled (not $m.enabled) -}}
{{- $errs = append $errs "metrics.serviceMonitor.enabled: is true but metrics.enabled is false; the ServiceMonitor would scrape an exporter that does not run: enable both" -}}
{{- end -}}

{{/* --- secrets, init scripts, PDB, persistence --- */}}
{{- if and .Values.auth.existingSecret (not .Values.auth.existingSecretPasswordKey) -}}
{{- $errs = append $errs "auth.existingSecretPasswordKey: is empty; name the key of the SYS password in auth.existingSecret" -}}
{{- end -}}
{{- if and .Values.auth.existingSecret .Values.auth.sysPassword -}}
{{- $errs = append $errs "auth.sysPassword: is set together with auth.existingSecret; the password would be ignored: set only one" -}}
{{- end -}}
{{- if and .Values.altibase.initScripts .Values.altibase.initScriptsConfigMap -}}
{{- $errs = append $errs "altibase.initScriptsConfigMap: is set together with altibase.initScripts; use one of them" -}}
{{- end -}}
{{- range $name, $_ := (.Values.altibase.initScripts | default dict) -}}
{{- if not (regexMatch "^[-._a-zA-Z0-9]+\\.(sql|sh)$" $name) -}}
{{- $errs = append $errs (printf "altibase.initScripts.%s: a script name must end in .sql or .sh and use only letters, digits, '-', '_' and '.'" $name) -}}
{{- end -}}
{{- end -}}
{{- if and (toString .Values.pdb.minAvailable) (toString .Values.pdb.maxUnavailable) -}}
{{- $errs = append $errs "pdb.minAvailable: is set together with pdb.maxUnavailable; a PodDisruptionBudget takes only one of them" -}}
{{- end -}}
{{- if eq (len (.Values.persistence.subPaths | default list)) 0 -}}
{{- $errs = append $errs "persistence.subPaths: is empty; at least the data directory (dbs) must be on the volume" -}}
{{- end -}}
{{- /* Bitnami users reach for it; every pod keeps its own copy, so one shared claim cannot work. */ -}}
{{- with .Values.persistence.existingClaim -}}
{{- $errs = append $errs (printf "persistence.existingClaim: %q cannot be used: each pod of the StatefulSet needs a volume of its own. To reuse volumes, create claims named data-%s-<ordinal> before installing (the StatefulSet adopts them), or fill new claims from a snapshot or a claim with persistence.dataSource" . (include "aku-altibase.stsName" $)) -}}
{{- end -}}

{{- if $errs -}}
{{- fail (printf "\n\n%s: invalid values (%d):\n  - %s\n" .Chart.Name (len $errs) (join "\n  - " $errs)) -}}
{{- end -}}
{{- end -}}
