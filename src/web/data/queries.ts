// Every GraphQL operation the map sends, in one place (docs/graphql.md documents the schema).
// The topology query asks for exactly what model/wiring.ts reads (WiringTopology), plus node ids
// for the detail queries; to-wiring.ts turns the answer into a WiringTopology.

/** The wiring now (no `at`) or at a past moment. */
export const MAP_TOPOLOGY = /* GraphQL */ `
  query MapTopology($at: Moment) {
    topology(at: $at) {
      revision
      discoveredAt
      host { hostname }
      namespaces {
        id
        key
        displayName
        initial
        containers { key }
        interfaces {
          id
          key
          netns
          index
          name
          kind
          operState
          up
          addresses { address prefixLength }
          users { key pid comm netns }
          peer { key }
          bridge { key }
          master { key }
          controller { key }
          underlay { key }
          ... on BridgeInterface { containerNetwork { name } }
        }
      }
      containers { key name image groups { kind name namespace } }
      forwardedPorts {
        id
        key
        netns
        protocol
        hostAddress
        hostPorts { first last }
        destinationAddress
        destinationPorts { first last }
        destinationInterface { key }
      }
    }
  }
`;

/** The revisions the timeline offers, newest first. */
export const MAP_HISTORY = /* GraphQL */ `
  query MapHistory($first: Int!) {
    revision
    history(first: $first) {
      totalCount
      nodes { revision time added removed changed }
    }
  }
`;

/** What changed between two moments, a page at a time. */
export const MAP_DIFF = /* GraphQL */ `
  query MapDiff($from: Moment!, $to: Moment, $after: String) {
    diff(from: $from, to: $to) {
      from
      to
      entities(first: 1000, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          kind
          op
          key
          ... on EntityChanged { fields { field before after } }
          ... on EntityAdded { after }
          ... on EntityRemoved { before }
        }
      }
    }
  }
`;

/** One event per recorded revision of what the map shows (sockets and processes change all the time and are not drawn). */
export const MAP_REVISIONS = /* GraphQL */ `
  subscription MapRevisions($since: Int) {
    revisions(filter: { kinds: [NAMESPACE, INTERFACE, ADDRESS, FORWARDED_PORT, CONTAINER] }, sinceRevision: $since) {
      revision
      time
      changes { kind op key }
    }
  }
`;

/** Alerts pending or firing now. */
export const MAP_ALERTS = /* GraphQL */ `
  query MapAlerts {
    alerts(filter: { states: [FIRING] }, first: 200) {
      totalCount
      nodes { id state severity ruleName message subjectKey entityKeys firedAt }
    }
  }
`;

/** Alert state changes as they happen, resumable by sequence. */
export const MAP_ALERT_EVENTS = /* GraphQL */ `
  subscription MapAlertEvents($since: Int) {
    alerts(sinceSequence: $since) { sequence state alert { id } }
  }
`;

const SOCKET_FIELDS = `protocol localAddress localPort remoteAddress remotePort state simpleState processes { pid comm cmdline }`;
const ROUTE_FIELDS = `destination prefixLength gateway type tableName protocol priority outputInterface { name }`;
const FORWARD_FIELDS = `protocol hostAddress hostPorts { first last } destinationAddress destinationPorts { first last } engine listeners { localAddress localPort processes { pid comm } } namespace { displayName }`;
const TENANT_FIELDS = `pid comm kind oldest container { name } dns { utsHostname hostname domainname resolver { nameservers search options } hosts { name addresses } }`;

/** An interface's details: what the side panel shows when one is clicked. */
export const INTERFACE_DETAILS = /* GraphQL */ `
  query InterfaceDetails($id: ID!, $at: Moment) {
    node(id: $id, at: $at) {
      id
      ... on Interface {
        key
        name
        kind
        driverKind
        operState
        up
        promiscuous
        flags
        mac
        mtu
        alias
        addresses { address prefixLength family scope flags }
        sockets { ${SOCKET_FIELDS} }
        users { pid comm cmdline }
        peer { name namespace { displayName } }
        bridge { name }
        ports { name }
        master { name namespace { displayName } }
        slaves { name }
        underlay { name namespace { displayName } }
        namespace {
          id
          key
          displayName
          routes { ${ROUTE_FIELDS} }
          tenants { ${TENANT_FIELDS} }
        }
      }
    }
  }
`;

/** A namespace's details, with its containers and the ports it forwards (those forwarded to it are on the map). */
export const NAMESPACE_DETAILS = /* GraphQL */ `
  query NamespaceDetails($id: ID!, $key: String!, $at: Moment) {
    node(id: $id, at: $at) {
      id
      ... on NetworkNamespace {
        key
        displayName
        initial
        inode
        references { kind pid tid fd path }
        containers { name image state privileged groups { kind name namespace } networks { name ipv4 ipv6 mac } labels }
        tenants { ${TENANT_FIELDS} }
        routes { ${ROUTE_FIELDS} }
        sockets { ${SOCKET_FIELDS} }
      }
    }
    forwardedPorts(at: $at, filter: { namespace: $key }, first: 200) { nodes { ${FORWARD_FIELDS} } }
  }
`;

/** Where a packet to an address goes, from a namespace (or the host). */
export const WHERE_IS = /* GraphQL */ `
  query MapWhereIs($ip: String!, $from: String, $at: Moment) {
    whereIs(ip: $ip, from: $from, at: $at) {
      found
      address
      owners { netns interface { key name } namespace { displayName } reached }
      path {
        kind
        netns
        namespace { displayName }
        ingress { key name }
        bridge { key name }
        egress { key name }
        route { destination prefixLength }
        nextHop
        note
      }
      end { reason message }
    }
  }
`;
