variable "project_id" {
  description = "Google Cloud project to deploy into (it must exist, with billing enabled)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id is a project ID: 6-30 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Region of the Cloud Run job and service, Cloud Scheduler, and where Pub/Sub stores messages."
  type        = string
  default     = "us-central1"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region is a single Google Cloud region such as us-central1 or europe-west1."
  }
}

variable "data_location" {
  description = "Location of the data at rest: buckets, both datasets, the image repository and the KMS key (which must be where the data is). The commands run BigQuery jobs in US unless told otherwise, so keep US until they take a location (see README)."
  type        = string
  default     = "US"

  validation {
    condition     = contains(["US", "EU"], var.data_location) || can(regex("^[a-z]+-[a-z]+[0-9]+$", var.data_location))
    error_message = "data_location is the US or EU multi-region, or a single region such as europe-west1."
  }
}

variable "environment" {
  description = "Environment name, used as the environment label (dev, staging, prod, …)."
  type        = string
  default     = "prod"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,19}$", var.environment))
    error_message = "environment is 1-20 lowercase letters, digits or hyphens, starting with a letter (it is a label value)."
  }
}

variable "name_prefix" {
  description = "Prefix of resource names: buckets are PROJECT-PREFIX-landing…, service accounts PREFIX-batch…, topics PREFIX-sales…."
  type        = string
  default     = "salesflow"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,19}$", var.name_prefix))
    error_message = "name_prefix is 3-20 lowercase letters, digits or hyphens, starting with a letter (service account ids are at most 30 characters)."
  }
}

variable "labels" {
  description = "Extra labels for every labelled resource (app, environment and managed-by are always set)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.labels : can(regex("^[a-z][a-z0-9_-]{0,62}$", k)) && can(regex("^[a-z0-9_-]{0,63}$", v))])
    error_message = "Label keys are lowercase letters, digits, _ or - (starting with a letter); values the same, at most 63 characters."
  }
}

variable "dataset_id" {
  description = "The warehouse dataset (bronze, silver, quarantine, load log, gold views): the commands' --warehouse bigquery:PROJECT.DATASET."
  type        = string
  default     = "salesflow"

  validation {
    condition     = can(regex("^[A-Za-z0-9_]{1,1024}$", var.dataset_id))
    error_message = "dataset_id is letters, digits and underscores."
  }
}

variable "reporting_dataset_id" {
  description = "The dataset analysts and Looker Studio read: one view per gold view of the warehouse, authorized to read the warehouse."
  type        = string
  default     = "salesflow_reporting"

  validation {
    condition     = can(regex("^[A-Za-z0-9_]{1,1024}$", var.reporting_dataset_id))
    error_message = "reporting_dataset_id is letters, digits and underscores."
  }
}

variable "kms_rotation_days" {
  description = "Days between automatic rotations of the data encryption key."
  type        = number
  default     = 90

  validation {
    condition     = var.kms_rotation_days >= 1 && var.kms_rotation_days <= 365 && floor(var.kms_rotation_days) == var.kms_rotation_days
    error_message = "kms_rotation_days is a whole number of days between 1 and 365."
  }
}

variable "archive_storage_classes" {
  description = "Days after which archived files move to NEARLINE, COLDLINE and ARCHIVE storage."
  type = object({
    nearline = number
    coldline = number
    archive  = number
  })
  default = { nearline = 30, coldline = 90, archive = 365 }

  validation {
    condition = (
      var.archive_storage_classes.nearline >= 1 &&
      var.archive_storage_classes.nearline < var.archive_storage_classes.coldline &&
      var.archive_storage_classes.coldline < var.archive_storage_classes.archive
    )
    error_message = "archive_storage_classes: 1 <= nearline < coldline < archive (days)."
  }
}

variable "rejected_retention_days" {
  description = "Days a rejected file is kept in the rejected bucket before it expires."
  type        = number
  default     = 30

  validation {
    condition     = var.rejected_retention_days >= 1 && var.rejected_retention_days <= 3650
    error_message = "rejected_retention_days is between 1 and 3650."
  }
}

variable "soft_delete_days" {
  description = "Days a deleted or overwritten object stays recoverable in every bucket (Cloud Storage soft delete)."
  type        = number
  default     = 7

  validation {
    condition     = var.soft_delete_days >= 7 && var.soft_delete_days <= 90
    error_message = "soft_delete_days is between 7 and 90 (what Cloud Storage accepts)."
  }
}

variable "noncurrent_version_days" {
  description = "Days a noncurrent object version is kept in the versioned buckets (lake, archive)."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_days >= 1 && var.noncurrent_version_days <= 3650
    error_message = "noncurrent_version_days is between 1 and 3650."
  }
}

variable "topic_retention" {
  description = "How long the sales topic keeps published messages (lets a new or reset subscription replay them), e.g. 604800s."
  type        = string
  default     = "604800s"

  validation {
    condition     = can(regex("^[0-9]+s$", var.topic_retention)) && try(tonumber(trimsuffix(var.topic_retention, "s")) >= 600 && tonumber(trimsuffix(var.topic_retention, "s")) <= 2678400, false)
    error_message = "topic_retention is seconds with an s suffix, between 600s and 2678400s (31 days)."
  }
}

variable "subscription_retention" {
  description = "How long the subscriptions keep unacknowledged messages, e.g. 604800s (7 days, the maximum)."
  type        = string
  default     = "604800s"

  validation {
    condition     = can(regex("^[0-9]+s$", var.subscription_retention)) && try(tonumber(trimsuffix(var.subscription_retention, "s")) >= 600 && tonumber(trimsuffix(var.subscription_retention, "s")) <= 604800, false)
    error_message = "subscription_retention is seconds with an s suffix, between 600s and 604800s."
  }
}

variable "ack_deadline_seconds" {
  description = "Initial ack deadline of the pipeline's subscription; the client extends it while a micro-batch waits for its commit."
  type        = number
  default     = 60

  validation {
    condition     = var.ack_deadline_seconds >= 10 && var.ack_deadline_seconds <= 600
    error_message = "ack_deadline_seconds is between 10 and 600."
  }
}

variable "max_delivery_attempts" {
  description = "Deliveries of a message before Pub/Sub moves it to the dead-letter topic."
  type        = number
  default     = 5

  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100
    error_message = "max_delivery_attempts is between 5 and 100 (Pub/Sub's limits)."
  }
}

variable "retry_backoff" {
  description = "Redelivery backoff of a nacked or expired message: minimum and maximum, in seconds with an s suffix."
  type = object({
    minimum = string
    maximum = string
  })
  default = { minimum = "10s", maximum = "600s" }

  validation {
    condition = (
      can(regex("^[0-9]+s$", var.retry_backoff.minimum)) && can(regex("^[0-9]+s$", var.retry_backoff.maximum)) &&
      try(tonumber(trimsuffix(var.retry_backoff.minimum, "s")) <= tonumber(trimsuffix(var.retry_backoff.maximum, "s")), false) &&
      try(tonumber(trimsuffix(var.retry_backoff.maximum, "s")) <= 600, false)
    )
    error_message = "retry_backoff: minimum <= maximum <= 600s, each like 10s."
  }
}

variable "exactly_once_delivery" {
  description = "Pub/Sub exactly-once delivery on the pipeline's subscription. Off: the stream acks only after its commit and the commit MERGEs by transaction_id, so a redelivered message is a counted duplicate, never a second row; exactly-once delivery would add ack latency and regional limits for no change in the tables."
  type        = bool
  default     = false
}

variable "image" {
  description = "Container image of salesflow (see Dockerfile). Empty: LOCATION-docker.pkg.dev/PROJECT/PREFIX/salesflow:IMAGE_TAG in the Artifact Registry repository declared here."
  type        = string
  default     = ""

  validation {
    condition     = var.image == "" || can(regex("^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$", var.image))
    error_message = "image is empty or a full image reference with a tag or digest (host/path/name:tag or @sha256:…)."
  }
}

variable "image_tag" {
  description = "Tag of the salesflow image in the declared Artifact Registry repository (when image is empty)."
  type        = string
  default     = "latest"

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$", var.image_tag))
    error_message = "image_tag is a Docker tag: letters, digits, _, . and -, at most 128 characters."
  }
}

variable "check_only" {
  description = "Run the commands with --no-create: they check that the dataset, tables (with their columns) and views Terraform made exist, exit 2 naming what is missing, and create none of them (the runtime identities have no dataset-creation rights). See README."
  type        = bool
  default     = true
}

variable "batch_schedule" {
  description = "When Cloud Scheduler starts the batch job (cron, in time_zone): every day at 02:00 by default."
  type        = string
  default     = "0 2 * * *"

  validation {
    condition     = length(split(" ", trimspace(var.batch_schedule))) == 5
    error_message = "batch_schedule is a five-field cron expression, e.g. \"0 2 * * *\"."
  }
}

variable "time_zone" {
  description = "Time zone of batch_schedule (tz database name)."
  type        = string
  default     = "Etc/UTC"

  validation {
    condition     = can(regex("^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$", var.time_zone))
    error_message = "time_zone is a tz database name such as Etc/UTC or Europe/Paris."
  }
}

variable "batch_timeout_seconds" {
  description = "Longest a batch job run may take before Cloud Run stops it."
  type        = number
  default     = 3600

  validation {
    condition     = var.batch_timeout_seconds >= 60 && var.batch_timeout_seconds <= 86400
    error_message = "batch_timeout_seconds is between 60 and 86400."
  }
}

variable "batch_resources" {
  description = "CPU and memory of the batch job's container."
  type = object({
    cpu    = string
    memory = string
  })
  default = { cpu = "2", memory = "4Gi" }

  validation {
    condition     = contains(["1", "2", "4", "8"], var.batch_resources.cpu) && can(regex("^[0-9]+(Mi|Gi)$", var.batch_resources.memory))
    error_message = "batch_resources: cpu is 1, 2, 4 or 8; memory like 4Gi or 512Mi."
  }
}

variable "stream_resources" {
  description = "CPU and memory of each stream service instance."
  type = object({
    cpu    = string
    memory = string
  })
  default = { cpu = "1", memory = "1Gi" }

  validation {
    condition     = contains(["1", "2", "4", "8"], var.stream_resources.cpu) && can(regex("^[0-9]+(Mi|Gi)$", var.stream_resources.memory))
    error_message = "stream_resources: cpu is 1, 2, 4 or 8; memory like 1Gi or 512Mi."
  }
}

variable "stream_max_instances" {
  description = "Most stream consumers Cloud Run runs at once (all on the one subscription; at least one always runs)."
  type        = number
  default     = 3

  validation {
    condition     = var.stream_max_instances >= 1 && var.stream_max_instances <= 100
    error_message = "stream_max_instances is between 1 and 100."
  }
}

variable "analyst_members" {
  description = "Who reads the gold views (reporting dataset), runs queries and reads the lake: IAM members such as group:analysts@example.com."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for m in var.analyst_members : can(regex("^(user|group|serviceAccount|domain):[^@\\s]+(@[^@\\s]+)?$", m))])
    error_message = "analyst_members are user:, group:, serviceAccount: or domain: members (never allUsers or allAuthenticatedUsers)."
  }
}

variable "operator_members" {
  description = "Who may act as the uploader and publisher service accounts (short-lived tokens by impersonation; no keys): IAM members such as group:data-ops@example.com."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for m in var.operator_members : can(regex("^(user|group|serviceAccount):[^@\\s]+@[^@\\s]+$", m))])
    error_message = "operator_members are user:, group: or serviceAccount: members."
  }
}

variable "notification_channels" {
  description = "Cloud Monitoring notification channels the alerts go to (projects/PROJECT/notificationChannels/ID)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.notification_channels : can(regex("^projects/[^/]+/notificationChannels/[^/]+$", c))])
    error_message = "notification_channels are full names: projects/PROJECT/notificationChannels/ID."
  }
}

variable "max_unacked_age_seconds" {
  description = "Alert when the oldest unacknowledged message on the pipeline's subscription is older than this for 5 minutes."
  type        = number
  default     = 600

  validation {
    condition     = var.max_unacked_age_seconds >= 60
    error_message = "max_unacked_age_seconds is at least 60."
  }
}

variable "looker_template_report_id" {
  description = "Looker Studio report the gold links copy (c.reportId); empty: Looker Studio's blank report."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[A-Za-z0-9_/-]*$", var.looker_template_report_id))
    error_message = "looker_template_report_id is a Looker Studio report id (letters, digits, -, _ and /)."
  }
}
