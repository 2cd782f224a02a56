# Offline: this module has no provider. Run from terraform/modules/policy:
#   terraform init -backend=false && terraform test

variables {
  project_id              = "acme-sales"
  name_prefix             = "salesflow"
  environment             = "prod"
  labels                  = { team = "data" }
  archive_storage_classes = { nearline = 30, coldline = 90, archive = 365 }
  rejected_retention_days = 30
  soft_delete_days        = 7
  noncurrent_version_days = 30
}

run "the_policy_holds" {
  command = plan

  assert {
    condition     = output.labels == { app = "salesflow", environment = "prod", managed-by = "terraform", team = "data" }
    error_message = "Required labels are merged over the extra ones."
  }
  assert {
    condition     = output.buckets["landing"].name == "acme-sales-salesflow-landing"
    error_message = "Bucket names start with the project id."
  }
  assert {
    condition     = [for r in output.buckets["archive"].lifecycle_rules : r.storage_class if r.action == "SetStorageClass"] == ["NEARLINE", "COLDLINE", "ARCHIVE"]
    error_message = "Archived files move to colder classes."
  }
  assert {
    condition     = [for r in output.buckets["rejected"].lifecycle_rules : r.age if r.action == "Delete"] == [30]
    error_message = "Rejected files expire."
  }
  assert {
    condition     = [for g in output.grants : g.principal if g.scope == "project"] == ["sa:batch", "sa:stream", "analysts"]
    error_message = "Only the query runners get a project-level grant (jobUser)."
  }
}

run "required_labels_cannot_be_overridden" {
  command = plan

  variables {
    labels = { app = "other", environment = "dev" }
  }

  assert {
    condition     = output.labels["app"] == "salesflow" && output.labels["environment"] == "prod"
    error_message = "app and environment come from the module."
  }
}

run "colder_classes_must_come_in_order" {
  command = plan

  variables {
    archive_storage_classes = { nearline = 90, coldline = 30, archive = 365 }
  }

  expect_failures = [output.buckets]
}

run "deleted_data_must_stay_recoverable" {
  command = plan

  variables {
    soft_delete_days = 0
  }

  expect_failures = [output.buckets]
}
