CREATE TABLE `alert_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`enabled` integer NOT NULL,
	`condition` text NOT NULL,
	`for_ms` integer NOT NULL,
	`severity` text NOT NULL,
	`webhook` text,
	`built_in` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alert_rules_name_unique` ON `alert_rules` (`name`);--> statement-breakpoint
CREATE TABLE `alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`rule_id` text NOT NULL,
	`rule_name` text NOT NULL,
	`severity` text NOT NULL,
	`state` text NOT NULL,
	`subject` text NOT NULL,
	`entities` text NOT NULL,
	`message` text NOT NULL,
	`since` integer NOT NULL,
	`fired_at` integer,
	`resolved_at` integer,
	`revision` integer,
	`changed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_active_rule_subject` ON `alerts` (`rule_id`,`subject`) WHERE state <> 'resolved';--> statement-breakpoint
CREATE INDEX `alerts_changed` ON `alerts` (`changed_at`);--> statement-breakpoint
CREATE INDEX `alerts_state` ON `alerts` (`state`,`changed_at`);--> statement-breakpoint
CREATE TABLE `alert_transitions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`alert_id` text NOT NULL,
	`state` text NOT NULL,
	`at` integer NOT NULL,
	`revision` integer,
	FOREIGN KEY (`alert_id`) REFERENCES `alerts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `alert_transitions_alert` ON `alert_transitions` (`alert_id`,`id`);