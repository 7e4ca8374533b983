CREATE TABLE `snapshots` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`time` integer NOT NULL,
	`duration_ms` real NOT NULL,
	`added` integer NOT NULL,
	`removed` integer NOT NULL,
	`changed` integer NOT NULL,
	`stats` text,
	`warnings` text,
	`host` text,
	`privileges` text
);
--> statement-breakpoint
CREATE INDEX `snapshots_time` ON `snapshots` (`time`);--> statement-breakpoint
CREATE TABLE `namespaces` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`parent` text,
	`attrs` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_to` integer
);
--> statement-breakpoint
CREATE INDEX `namespaces_from_to` ON `namespaces` (`valid_from`,`valid_to`);--> statement-breakpoint
CREATE INDEX `namespaces_to_from` ON `namespaces` (`valid_to`,`valid_from`);--> statement-breakpoint
CREATE INDEX `namespaces_key` ON `namespaces` (`key`,`valid_from`);--> statement-breakpoint
CREATE TABLE `interfaces` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`parent` text,
	`attrs` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_to` integer
);
--> statement-breakpoint
CREATE INDEX `interfaces_from_to` ON `interfaces` (`valid_from`,`valid_to`);--> statement-breakpoint
CREATE INDEX `interfaces_to_from` ON `interfaces` (`valid_to`,`valid_from`);--> statement-breakpoint
CREATE INDEX `interfaces_key` ON `interfaces` (`key`,`valid_from`);--> statement-breakpoint
CREATE TABLE `addresses` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`parent` text,
	`attrs` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_to` integer
);
--> statement-breakpoint
CREATE INDEX `addresses_from_to` ON `addresses` (`valid_from`,`valid_to`);--> statement-breakpoint
CREATE INDEX `addresses_to_from` ON `addresses` (`valid_to`,`valid_from`);--> statement-breakpoint
CREATE INDEX `addresses_key` ON `addresses` (`key`,`valid_from`);--> statement-breakpoint
CREATE TABLE `routes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`parent` text,
	`attrs` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_to` integer
);
--> statement-breakpoint
CREATE INDEX `routes_from_to` ON `routes` (`valid_from`,`valid_to`);--> statement-breakpoint
CREATE INDEX `routes_to_from` ON `routes` (`valid_to`,`valid_from`);--> statement-breakpoint
CREATE INDEX `routes_key` ON `routes` (`key`,`valid_from`);--> statement-breakpoint
CREATE TABLE `processes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`parent` text,
	`attrs` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_to` integer
);
--> statement-breakpoint
CREATE INDEX `processes_from_to` ON `processes` (`valid_from`,`valid_to`);--> statement-breakpoint
CREATE INDEX `processes_to_from` ON `processes` (`valid_to`,`valid_from`);--> statement-breakpoint
CREATE INDEX `processes_key` ON `processes` (`key`,`valid_from`);