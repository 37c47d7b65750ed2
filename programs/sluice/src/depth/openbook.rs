//! OpenBook v2 as a depth source: the bids of a market whose base mint is
//! the pool's collateral, read from the market account (lot sizes, mints,
//! its bids account) and the bids `BookSide` (a crit-bit tree of resting
//! orders). No Solana types: the readers work on the accounts' bytes.
//!
//! Layouts of openbook-v2 v0.2.10 (`state/market.rs`,
//! `state/orderbook/{bookside,ordertree,nodes}.rs`): zero-copy Anchor
//! accounts, so every offset below is a fixed position after the 8-byte
//! discriminator, and integers are little-endian.

/// Offsets and sizes of the two accounts.
pub mod layout {
    /// `Market`: 8 + 840 bytes.
    pub const MARKET_LEN: usize = 8 + 840;
    /// sha256("account:Market")[..8]
    pub const MARKET_DISCRIMINATOR: [u8; 8] = [219, 190, 213, 55, 0, 227, 198, 154];
    pub const MARKET_TIME_EXPIRY: usize = 8 + 40;
    pub const MARKET_BIDS: usize = 8 + 192;
    pub const MARKET_QUOTE_LOT_SIZE: usize = 8 + 440;
    pub const MARKET_BASE_LOT_SIZE: usize = 8 + 448;
    pub const MARKET_BASE_MINT: usize = 8 + 568;
    pub const MARKET_QUOTE_MINT: usize = 8 + 600;

    /// `BookSide`: 8 + 90,944 bytes.
    pub const BOOKSIDE_LEN: usize = 8 + 90_944;
    /// sha256("account:BookSide")[..8]
    pub const BOOKSIDE_DISCRIMINATOR: [u8; 8] = [72, 44, 225, 141, 178, 130, 97, 57];
    /// `roots[0]`, the fixed-price tree: (maybe_node: u32, leaf_count: u32).
    /// `roots[1]` (oracle-pegged orders) is not read: their prices move
    /// with an oracle, so they count for nothing here (less depth).
    pub const FIXED_ROOT: usize = 8;
    /// `nodes.order_tree_type`: 0 bids, 1 asks.
    pub const ORDER_TREE_TYPE: usize = 8 + 304;
    pub const NODES: usize = 8 + 832;
    pub const NODE_SIZE: usize = 88;
    pub const MAX_NODES: usize = 1_024;

    pub const TAG_INNER: u8 = 1;
    pub const TAG_LEAF: u8 = 2;
    /// In a node: the tag at 0; an inner node's prefix length (u32) at 4,
    /// key (u128) at 8, children (2 x u32) at 24; a leaf's time in force
    /// (u16, seconds, 0 = none) at 2, key (u128: price lots << 64 | seq)
    /// at 8, quantity (i64, base lots) at 56, timestamp (u64) at 64.
    pub const INNER_PREFIX_LEN: usize = 4;
    pub const NODE_KEY: usize = 8;
    pub const INNER_CHILDREN: usize = 24;
    pub const LEAF_TIME_IN_FORCE: usize = 2;
    pub const LEAF_QUANTITY: usize = 56;
    pub const LEAF_TIMESTAMP: usize = 64;
}

use layout::*;

/// Why a book could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookError {
    /// Wrong size, discriminator or tree type, a node handle out of range,
    /// or a tree that does not end (not an OpenBook v2 bids account).
    Malformed,
}

/// What a market account says about its book.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarketInfo {
    pub bids: [u8; 32],
    pub base_mint: [u8; 32],
    pub quote_mint: [u8; 32],
    pub base_lot_size: u64,
    pub quote_lot_size: u64,
    /// 0: never expires.
    pub time_expiry: i64,
}

fn bytes<const N: usize>(data: &[u8], at: usize) -> Result<[u8; N], BookError> {
    data.get(at..at + N)
        .and_then(|b| b.try_into().ok())
        .ok_or(BookError::Malformed)
}

fn u32_at(data: &[u8], at: usize) -> Result<u32, BookError> {
    Ok(u32::from_le_bytes(bytes(data, at)?))
}

fn u64_at(data: &[u8], at: usize) -> Result<u64, BookError> {
    Ok(u64::from_le_bytes(bytes(data, at)?))
}

fn u128_at(data: &[u8], at: usize) -> Result<u128, BookError> {
    Ok(u128::from_le_bytes(bytes(data, at)?))
}

/// Reads a `Market` account's data (discriminator and size checked; lot
/// sizes must be positive).
pub fn read_market(data: &[u8]) -> Result<MarketInfo, BookError> {
    if data.len() < MARKET_LEN || data[..8] != MARKET_DISCRIMINATOR {
        return Err(BookError::Malformed);
    }
    let lot = |at| -> Result<u64, BookError> {
        let v = i64::from_le_bytes(bytes(data, at)?);
        u64::try_from(v)
            .ok()
            .filter(|v| *v > 0)
            .ok_or(BookError::Malformed)
    };
    Ok(MarketInfo {
        bids: bytes(data, MARKET_BIDS)?,
        base_mint: bytes(data, MARKET_BASE_MINT)?,
        quote_mint: bytes(data, MARKET_QUOTE_MINT)?,
        base_lot_size: lot(MARKET_BASE_LOT_SIZE)?,
        quote_lot_size: lot(MARKET_QUOTE_LOT_SIZE)?,
        time_expiry: i64::from_le_bytes(bytes(data, MARKET_TIME_EXPIRY)?),
    })
}

/// Checks a bids `BookSide` account's data: size, discriminator, tree type.
pub fn check_bids(data: &[u8]) -> Result<(), BookError> {
    if data.len() < BOOKSIDE_LEN
        || data[..8] != BOOKSIDE_DISCRIMINATOR
        || data[ORDER_TREE_TYPE] != 0
    {
        return Err(BookError::Malformed);
    }
    Ok(())
}

/// The node at `handle`: its bytes.
fn node(data: &[u8], handle: u32) -> Result<&[u8], BookError> {
    let i = handle as usize;
    if i >= MAX_NODES {
        return Err(BookError::Malformed);
    }
    let at = NODES + i * NODE_SIZE;
    data.get(at..at + NODE_SIZE).ok_or(BookError::Malformed)
}

/// The highest key under an inner node: its prefix, every lower bit set.
fn subtree_max_key(key: u128, prefix_len: u32) -> u128 {
    if prefix_len == 0 {
        u128::MAX
    } else if prefix_len >= 128 {
        key
    } else {
        key | (u128::MAX >> prefix_len)
    }
}

/// The deepest a crit-bit tree of 128-bit keys goes (each inner node's
/// prefix is longer than its parent's).
const MAX_DEPTH: usize = 130;
/// The best this many resting bids are counted, no more: a book stuffed
/// with tiny orders at the top cannot make a liquidation's compute grow
/// with it (it can only make the book count for less, the safe side). An
/// order costs about 220 CU to read on the SBF VM, so the book adds at most
/// about 4,000 to a refresh or a liquidation.
pub const MAX_LEAVES: usize = 16;

/// Base lots resting on the fixed-price bids at prices at least
/// `(1 - slippage_bps)` of the best bid, not expired at `now` (unix s):
/// what a sale of the base token fills within the bound, over the best
/// [`MAX_LEAVES`] orders. Walks the crit-bit tree from its root, higher
/// child first (so orders come best first, and the walk ends at the first
/// under the bound), skipping every subtree whose keys all price under it.
/// An empty book: 0.
pub fn bid_lots_within(data: &[u8], slippage_bps: u16, now: u64) -> Result<u64, BookError> {
    check_bids(data)?;
    let root = u32_at(data, FIXED_ROOT)?;
    let leaves = u32_at(data, FIXED_ROOT + 4)?;
    if leaves == 0 {
        return Ok(0);
    }
    // the best bid: the highest key, down the 1-children
    let mut handle = root;
    let mut best = None;
    for _ in 0..MAX_DEPTH {
        let n = node(data, handle)?;
        match n[0] {
            TAG_INNER => handle = u32_at(n, INNER_CHILDREN + 4)?,
            TAG_LEAF => {
                best = Some((u128_at(n, NODE_KEY)? >> 64) as u64);
                break;
            }
            _ => return Err(BookError::Malformed),
        }
    }
    let best = best.ok_or(BookError::Malformed)?;
    // the lowest price within the bound, rounded up (the safe side)
    let keep = 10_000u128.saturating_sub(u128::from(slippage_bps));
    let bound = (u128::from(best) * keep).div_ceil(10_000) as u64;

    let mut stack = [0u32; MAX_DEPTH];
    let mut len = 1;
    stack[0] = root;
    let mut lots: u64 = 0;
    let mut leaves_seen = 0;
    // every node at most once: a handle seen twice is not a tree
    let mut seen = [0u64; MAX_NODES / 64];
    while len > 0 {
        len -= 1;
        let handle = stack[len];
        let n = node(data, handle)?;
        let (word, bit) = (handle as usize / 64, 1u64 << (handle % 64));
        if seen[word] & bit != 0 {
            return Err(BookError::Malformed);
        }
        seen[word] |= bit;
        let key = u128_at(n, NODE_KEY)?;
        match n[0] {
            TAG_INNER => {
                let prefix = u32_at(n, INNER_PREFIX_LEN)?;
                if (subtree_max_key(key, prefix) >> 64) < u128::from(bound) {
                    continue;
                }
                if len + 2 > MAX_DEPTH {
                    return Err(BookError::Malformed);
                }
                stack[len] = u32_at(n, INNER_CHILDREN)?;
                stack[len + 1] = u32_at(n, INNER_CHILDREN + 4)?;
                len += 2;
            }
            TAG_LEAF => {
                let price = (key >> 64) as u64;
                if price < bound {
                    // best first: every order after this one is lower
                    break;
                }
                let tif = u64::from(u16::from_le_bytes(bytes(n, LEAF_TIME_IN_FORCE)?));
                let expired = tif > 0 && now >= u64_at(n, LEAF_TIMESTAMP)?.saturating_add(tif);
                let qty = i64::from_le_bytes(bytes(n, LEAF_QUANTITY)?);
                if !expired && qty > 0 {
                    lots = lots.saturating_add(qty as u64);
                }
                leaves_seen += 1;
                if leaves_seen >= MAX_LEAVES {
                    break;
                }
            }
            _ => return Err(BookError::Malformed),
        }
    }
    Ok(lots)
}

/// Builds OpenBook v2 account bytes in their real layout (tests and the
/// in-process runtime's fixtures; not in the program).
#[cfg(not(target_os = "solana"))]
pub mod fixture {
    use super::layout::*;

    /// A `Market` account's data with the fields the reader uses.
    pub fn market(
        bids: [u8; 32],
        base_mint: [u8; 32],
        quote_mint: [u8; 32],
        base_lot_size: i64,
        quote_lot_size: i64,
    ) -> Vec<u8> {
        let mut d = vec![0u8; MARKET_LEN];
        d[..8].copy_from_slice(&MARKET_DISCRIMINATOR);
        d[MARKET_BIDS..MARKET_BIDS + 32].copy_from_slice(&bids);
        d[MARKET_BASE_MINT..MARKET_BASE_MINT + 32].copy_from_slice(&base_mint);
        d[MARKET_QUOTE_MINT..MARKET_QUOTE_MINT + 32].copy_from_slice(&quote_mint);
        d[MARKET_BASE_LOT_SIZE..MARKET_BASE_LOT_SIZE + 8]
            .copy_from_slice(&base_lot_size.to_le_bytes());
        d[MARKET_QUOTE_LOT_SIZE..MARKET_QUOTE_LOT_SIZE + 8]
            .copy_from_slice(&quote_lot_size.to_le_bytes());
        d
    }

    /// A resting bid: price (quote lots per base lot), base lots, time in
    /// force (s, 0 = none) and the time it was placed.
    #[derive(Clone, Copy, Debug)]
    pub struct Bid {
        pub price_lots: u64,
        pub lots: i64,
        pub time_in_force: u16,
        pub timestamp: u64,
    }

    /// A bids `BookSide` holding `bids` in its fixed-price tree, built as
    /// OpenBook builds it: a crit-bit tree over keys `price << 64 | !seq`
    /// (a bid's sequence number is inverted so the older of two equal
    /// prices ranks first), leaves and inner nodes in the node array.
    pub fn bids(bids: &[Bid]) -> Vec<u8> {
        assert!(2 * bids.len() <= MAX_NODES, "a book holds 512 orders");
        let mut d = vec![0u8; BOOKSIDE_LEN];
        d[..8].copy_from_slice(&BOOKSIDE_DISCRIMINATOR);
        d[ORDER_TREE_TYPE] = 0;
        let mut keyed: Vec<(u128, Bid)> = bids
            .iter()
            .enumerate()
            .map(|(seq, b)| {
                (
                    (u128::from(b.price_lots) << 64) | u128::from(!(seq as u64)),
                    *b,
                )
            })
            .collect();
        keyed.sort_by_key(|(k, _)| *k);
        let mut next = 0u32;
        if !keyed.is_empty() {
            let root = build(&mut d, &keyed, &mut next);
            d[FIXED_ROOT..FIXED_ROOT + 4].copy_from_slice(&root.to_le_bytes());
            d[FIXED_ROOT + 4..FIXED_ROOT + 8].copy_from_slice(&(keyed.len() as u32).to_le_bytes());
        }
        d
    }

    fn put(d: &mut [u8], handle: u32, at: usize, bytes: &[u8]) {
        let base = NODES + handle as usize * NODE_SIZE + at;
        d[base..base + bytes.len()].copy_from_slice(bytes);
    }

    /// The subtree over sorted, distinct `keys`; returns its handle.
    fn build(d: &mut [u8], keys: &[(u128, Bid)], next: &mut u32) -> u32 {
        let handle = *next;
        *next += 1;
        if let [(key, bid)] = keys {
            put(d, handle, 0, &[TAG_LEAF]);
            put(
                d,
                handle,
                LEAF_TIME_IN_FORCE,
                &bid.time_in_force.to_le_bytes(),
            );
            put(d, handle, NODE_KEY, &key.to_le_bytes());
            put(d, handle, LEAF_QUANTITY, &bid.lots.to_le_bytes());
            put(d, handle, LEAF_TIMESTAMP, &bid.timestamp.to_le_bytes());
            return handle;
        }
        let (lo, hi) = (keys[0].0, keys[keys.len() - 1].0);
        let prefix_len = (lo ^ hi).leading_zeros();
        let bit = 1u128 << (127 - prefix_len);
        let split = keys
            .iter()
            .position(|(k, _)| k & bit != 0)
            .unwrap_or(keys.len());
        put(d, handle, 0, &[TAG_INNER]);
        put(d, handle, INNER_PREFIX_LEN, &prefix_len.to_le_bytes());
        put(d, handle, NODE_KEY, &lo.to_le_bytes());
        let left = build(d, &keys[..split], next);
        let right = build(d, &keys[split..], next);
        put(d, handle, INNER_CHILDREN, &left.to_le_bytes());
        put(d, handle, INNER_CHILDREN + 4, &right.to_le_bytes());
        handle
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::{bids, market, Bid};
    use super::*;

    fn bid(price_lots: u64, lots: i64) -> Bid {
        Bid {
            price_lots,
            lots,
            time_in_force: 0,
            timestamp: 0,
        }
    }

    #[test]
    fn bids_within_the_bound_of_the_best_are_summed() {
        // best 10,000; 1% bound: prices >= 9,900 count
        let book = bids(&[
            bid(10_000, 5),
            bid(9_950, 7),
            bid(9_900, 11),
            bid(9_899, 1_000),
            bid(5_000, 1_000_000),
            bid(10_000, 3),
        ]);
        assert_eq!(bid_lots_within(&book, 100, 0), Ok(5 + 7 + 11 + 3));
        assert_eq!(bid_lots_within(&book, 0, 0), Ok(8));
        assert_eq!(
            bid_lots_within(&book, 5_000, 0),
            Ok(5 + 7 + 11 + 3 + 1_000 + 1_000_000)
        );
        assert_eq!(bid_lots_within(&bids(&[]), 100, 0), Ok(0));
    }

    #[test]
    fn expired_orders_count_for_nothing() {
        let mut b = bid(10_000, 5);
        b.time_in_force = 10;
        b.timestamp = 100;
        let book = bids(&[b, bid(9_990, 2)]);
        assert_eq!(bid_lots_within(&book, 100, 109), Ok(7));
        assert_eq!(bid_lots_within(&book, 100, 110), Ok(2));
    }

    #[test]
    fn a_deep_book_counts_its_best_16_orders_within_the_bound() {
        // 500 bids (999 nodes of the 1,024 a book holds) one price lot
        // apart: 101 within 1% of the best, the best 16 counted
        let all: Vec<Bid> = (0..500).map(|i| bid(10_000 - i, 1)).collect();
        assert_eq!(bid_lots_within(&bids(&all), 100, 0), Ok(16));
        // 0.1%: 11 orders within the bound, all counted
        assert_eq!(bid_lots_within(&bids(&all), 10, 0), Ok(11));
        // a book stuffed with 16 one-lot orders at the top hides the
        // wall under them: it counts for less, never for more
        let mut stuffed: Vec<Bid> = (0..16).map(|_| bid(10_000, 1)).collect();
        stuffed.push(bid(9_990, 1_000_000));
        assert_eq!(bid_lots_within(&bids(&stuffed), 100, 0), Ok(16));
    }

    #[test]
    fn other_accounts_and_broken_trees_are_refused() {
        let mut asks = bids(&[bid(10_000, 1)]);
        asks[ORDER_TREE_TYPE] = 1;
        assert_eq!(bid_lots_within(&asks, 100, 0), Err(BookError::Malformed));
        let mut short = bids(&[bid(10_000, 1)]);
        short.truncate(BOOKSIDE_LEN - 1);
        assert_eq!(bid_lots_within(&short, 100, 0), Err(BookError::Malformed));
        // a tree whose inner node points at itself does not loop
        let mut cyclic = bids(&[bid(10_000, 1), bid(9_999, 1)]);
        let root = NODES; // node 0 is the root
        cyclic[root + INNER_CHILDREN..root + INNER_CHILDREN + 4]
            .copy_from_slice(&0u32.to_le_bytes());
        assert_eq!(bid_lots_within(&cyclic, 100, 0), Err(BookError::Malformed));
        let m = market([1; 32], [2; 32], [3; 32], 1_000, 10);
        let info = read_market(&m).unwrap();
        assert_eq!(
            (info.bids, info.base_lot_size, info.quote_lot_size),
            ([1; 32], 1_000, 10)
        );
        assert_eq!(
            read_market(&market([1; 32], [2; 32], [3; 32], 0, 10)),
            Err(BookError::Malformed)
        );
        assert_eq!(read_market(&m[..MARKET_LEN - 1]), Err(BookError::Malformed));
    }
}
