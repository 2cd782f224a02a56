output "labels" {
  description = "Labels for every labelled resource."
  value       = local.labels

  precondition {
    condition     = alltrue([for k in ["app", "environment", "managed-by"] : try(local.labels[k] != "", false)])
    error_message = "Labels app, environment and managed-by are required."
  }
}

output "buckets" {
  description = "Buckets by role: name, versioning, lifecycle rules."
  value       = local.buckets

  precondition {
    condition     = var.soft_delete_days >= 7 || alltrue([for b in local.buckets : b.versioning])
    error_message = "Every bucket keeps deleted data recoverable: soft delete (at least 7 days) or versioning."
  }
  precondition {
    condition = (
      var.archive_storage_classes.nearline < var.archive_storage_classes.coldline &&
      var.archive_storage_classes.coldline < var.archive_storage_classes.archive
    )
    error_message = "Archived files move to colder classes in order: nearline < coldline < archive days."
  }
}

output "soft_delete_seconds" {
  description = "Soft delete retention for every bucket, in seconds."
  value       = var.soft_delete_days * 86400
}

output "service_accounts" {
  description = "One service account per actor: key → description."
  value       = local.service_accounts
}

output "grants" {
  description = "Every IAM grant: scope, target (a key of that scope's resources), role, principal."
  value       = local.grants

  precondition {
    condition     = alltrue([for g in local.grants : !contains(local.primitive_roles, g.role)])
    error_message = "No primitive role (owner, editor, viewer)."
  }
  precondition {
    condition     = alltrue([for g in local.grants : g.scope != "project" || contains(local.project_roles, g.role)])
    error_message = "Project-level grants are for roles/bigquery.jobUser only; grant on the resource instead."
  }
  precondition {
    condition     = alltrue([for g in local.grants : contains(keys(local.targets), g.scope) && contains(local.targets[g.scope], g.target)])
    error_message = "Every grant names a scope and a target the deployment declares."
  }
  precondition {
    condition     = alltrue([for g in local.grants : contains(local.principals, g.principal)])
    error_message = "Every grant names a known principal."
  }
  precondition {
    condition     = length(distinct(local.grants)) == length(local.grants)
    error_message = "A grant is listed twice."
  }
}
