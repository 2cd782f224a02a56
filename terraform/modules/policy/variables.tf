variable "project_id" {
  description = "Project the deployment lives in (bucket names start with it: bucket names are global)."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of every resource name (buckets, service accounts, topics, jobs)."
  type        = string
}

variable "environment" {
  description = "Environment label value (dev, staging, prod, …)."
  type        = string
}

variable "labels" {
  description = "Extra labels for every labelled resource; the required ones (app, environment, managed-by) cannot be overridden."
  type        = map(string)
}

variable "archive_storage_classes" {
  description = "Days after which archived files move to NEARLINE, COLDLINE and ARCHIVE."
  type = object({
    nearline = number
    coldline = number
    archive  = number
  })
}

variable "rejected_retention_days" {
  description = "Days a rejected file is kept before it is deleted."
  type        = number
}

variable "soft_delete_days" {
  description = "Days a deleted or overwritten object stays recoverable (soft delete) in every bucket."
  type        = number
}

variable "noncurrent_version_days" {
  description = "Days a noncurrent object version is kept in the versioned buckets (lake, archive)."
  type        = number
}
