# Offline: this module has no provider. Run from terraform/modules/catalog:
#   terraform init -backend=false && terraform test

variables {
  project_id           = "acme-sales"
  dataset_id           = "salesflow"
  reporting_dataset_id = "salesflow_reporting"
  billing_project_id   = "acme-billing"
}

run "tables_come_from_the_generated_files" {
  command = plan

  assert {
    condition     = output.tables["silver_sales"].partition_field == "transaction_date"
    error_message = "silver_sales is partitioned by day on transaction_date."
  }
  assert {
    condition     = output.tables["silver_sales"].clustering == ["sales_region", "product_category"]
    error_message = "silver_sales is clustered on sales_region, product_category."
  }
  assert {
    condition     = output.tables["load_log"].partition_field == null
    error_message = "load_log is not partitioned."
  }
  assert {
    condition     = jsondecode(output.tables["silver_sales"].schema)[0].name == "transaction_id"
    error_message = "The schema is the generated JSON."
  }
}

run "view_queries_name_the_warehouse_dataset" {
  command = plan

  assert {
    condition     = strcontains(output.views["gold_daily_sales"].query, "FROM `acme-sales.salesflow.silver_sales`")
    error_message = "View queries read the warehouse's tables fully qualified."
  }
  assert {
    condition     = !strcontains(output.views["gold_daily_sales"].query, "$${")
    error_message = "No template placeholder is left in a view query."
  }
  assert {
    condition     = output.reporting_views["gold_daily_sales"] == "SELECT * FROM `acme-sales.salesflow.gold_daily_sales`"
    error_message = "A reporting view reads the gold view of the same name."
  }
}

run "looker_links_follow_the_linking_api" {
  command = plan

  assert {
    condition     = output.looker_links["gold_daily_sales"] == "https://lookerstudio.google.com/reporting/create?r.reportName=salesflow%20%E2%80%94%20gold_daily_sales&ds.ds0.connector=bigQuery&ds.ds0.type=TABLE&ds.ds0.projectId=acme-sales&ds.ds0.datasetId=salesflow_reporting&ds.ds0.tableId=gold_daily_sales&ds.ds0.billingProjectId=acme-billing"
    error_message = "Link: ${output.looker_links["gold_daily_sales"]}"
  }
  assert {
    condition     = toset(keys(output.looker_links)) == toset(output.gold)
    error_message = "One link per gold table and view."
  }
  assert {
    condition     = contains(keys(output.looker_links), "gold_sales_per_minute")
    error_message = "The stream's real-time table has a link too."
  }
}

run "a_template_report_is_copied_when_given" {
  command = plan

  variables {
    looker_template_report_id = "abc/def"
  }

  assert {
    condition     = startswith(output.looker_links["gold_top_customers"], "https://lookerstudio.google.com/reporting/create?c.reportId=abc%2Fdef&r.reportName=")
    error_message = "Link: ${output.looker_links["gold_top_customers"]}"
  }
}
