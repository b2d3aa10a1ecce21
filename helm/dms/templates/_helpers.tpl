{{/*
Chart name.
*/}}
{{- define "dms.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name (max 63 chars; some suffixes are appended, so keep it to 45).
*/}}
{{- define "dms.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 45 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 45 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 45 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart label value.
*/}}
{{- define "dms.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels shared by every object of the release.
*/}}
{{- define "dms.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dms.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "dms.labels" -}}
helm.sh/chart: {{ include "dms.chart" . }}
{{ include "dms.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: dms
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Selector labels of one component. Usage:
  include "dms.componentSelectorLabels" (dict "root" $ "component" "web")
*/}}
{{- define "dms.componentSelectorLabels" -}}
{{ include "dms.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Labels of one component (common labels + component).
*/}}
{{- define "dms.componentLabels" -}}
{{ include "dms.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Container image reference.
*/}}
{{- define "dms.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}

{{/*
ServiceAccount used by web, worker and beat.
*/}}
{{- define "dms.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "dms.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
ServiceAccount used by the migrate hook Job. On first install the hook runs before
the release's regular objects exist, so the chart creates a hook-scoped copy.
*/}}
{{- define "dms.migrateServiceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- printf "%s-migrate" (include "dms.fullname" .) }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
ConfigMap / Secret names (regular release objects).
*/}}
{{- define "dms.configMapName" -}}
{{- include "dms.fullname" . }}
{{- end }}

{{- define "dms.secretName" -}}
{{- if .Values.secret.existingSecret }}
{{- .Values.secret.existingSecret }}
{{- else }}
{{- include "dms.fullname" . }}
{{- end }}
{{- end }}

{{/*
ConfigMap / Secret names used by the migrate hook Job (hook-scoped copies, because
pre-install hooks run before regular objects are created).
*/}}
{{- define "dms.migrateConfigMapName" -}}
{{- printf "%s-migrate" (include "dms.fullname" .) }}
{{- end }}

{{- define "dms.migrateSecretName" -}}
{{- if .Values.secret.existingSecret }}
{{- .Values.secret.existingSecret }}
{{- else }}
{{- printf "%s-migrate" (include "dms.fullname" .) }}
{{- end }}
{{- end }}

{{/*
ALLOWED_HOSTS: config.allowedHosts plus the custom tenant domains.
*/}}
{{- define "dms.allowedHosts" -}}
{{- $hosts := list }}
{{- range (splitList "," (.Values.config.allowedHosts | default "")) }}
{{- if trim . }}
{{- $hosts = append $hosts (trim .) }}
{{- end }}
{{- end }}
{{- range .Values.ingress.customDomains.hosts }}
{{- $hosts = append $hosts .host }}
{{- end }}
{{- join "," ($hosts | uniq) }}
{{- end }}

{{/*
ConfigMap data (shared by the regular ConfigMap and the migrate hook copy).
*/}}
{{- define "dms.configData" -}}
DJANGO_ENV: {{ .Values.config.djangoEnv | quote }}
DJANGO_SETTINGS_MODULE: "dms.settings"
PYTHONPATH: {{ printf "%s/platform" (trimSuffix "/" .Values.image.workdir) | quote }}
PYTHONUNBUFFERED: "1"
PYTHONDONTWRITEBYTECODE: "1"
PLATFORM_DOMAIN: {{ required "platformDomain is required" .Values.platformDomain | quote }}
ALLOWED_HOSTS: {{ include "dms.allowedHosts" . | quote }}
TRUSTED_PROXY_COUNT: {{ .Values.config.trustedProxyCount | default 0 | toString | quote }}
{{- with .Values.config.stripePublishableKey }}
STRIPE_PUBLISHABLE_KEY: {{ . | quote }}
{{- end }}
{{- range $k, $v := .Values.config.extra }}
{{ $k }}: {{ $v | toString | quote }}
{{- end }}
{{- end }}

{{/*
Secret data (shared by the regular Secret and the migrate hook copy).
*/}}
{{- define "dms.secretData" -}}
{{- range $k, $v := .Values.secret.values }}
{{ $k }}: {{ $v | default "" | toString | b64enc | quote }}
{{- end }}
{{- end }}

{{/*
envFrom for app containers. Usage:
  include "dms.envFrom" (dict "configMap" "name" "secret" "name")
The Secret comes last so its keys win over the ConfigMap's.
*/}}
{{- define "dms.envFrom" -}}
- configMapRef:
    name: {{ .configMap }}
- secretRef:
    name: {{ .secret }}
{{- end }}

{{/*
Volumes / mounts: writable /tmp on a read-only root filesystem.
*/}}
{{- define "dms.tmpVolume" -}}
{{- $emptyDir := dict }}
{{- with .Values.tmpVolume.medium }}
{{- $_ := set $emptyDir "medium" . }}
{{- end }}
{{- with .Values.tmpVolume.sizeLimit }}
{{- $_ := set $emptyDir "sizeLimit" . }}
{{- end }}
- name: tmp
  emptyDir: {{- if $emptyDir }}
    {{- toYaml $emptyDir | nindent 4 }}
  {{- else }} {}
  {{- end }}
{{- end }}

{{- define "dms.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}

{{/*
Pod scheduling block. Usage:
  include "dms.scheduling" (dict "root" $ "component" .Values.web)
Component values override the global ones.
*/}}
{{- define "dms.scheduling" -}}
{{- $root := .root }}
{{- $c := .component }}
{{- with (default $root.Values.nodeSelector $c.nodeSelector) }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with (default $root.Values.affinity $c.affinity) }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with (default $root.Values.tolerations $c.tolerations) }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $c.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
Pod annotations: global + component + config checksums (rolls pods when the
chart-managed ConfigMap/Secret change).
*/}}
{{- define "dms.podAnnotations" -}}
{{- $root := .root }}
checksum/config: {{ include "dms.configData" $root | sha256sum }}
{{- if not $root.Values.secret.existingSecret }}
checksum/secret: {{ include "dms.secretData" $root | sha256sum }}
{{- end }}
{{- with $root.Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- with .component.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end }}
