//! Fixed-point primitives. `WAD` (1e18) scales rates and USD values; `BPS`
//! (1e4) scales governance ratios. Products are taken in 256 bits, so
//! `mul_div` only fails when the *result* does not fit in 128 bits.

#![allow(clippy::manual_div_ceil)]

use uint::construct_uint;

construct_uint! {
    /// 256-bit unsigned integer for intermediate products.
    pub struct U256(4);
}

pub const WAD: u128 = 1_000_000_000_000_000_000;
pub const BPS: u128 = 10_000;

/// Which way a lossy division goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    Down,
    Up,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathError {
    /// A result did not fit in its integer type.
    Overflow,
    /// A division by zero was requested.
    DivideByZero,
}

pub type MathResult<T> = core::result::Result<T, MathError>;

/// `a * b / c`, rounded as asked, with a 256-bit intermediate when the
/// product does not fit in 128 bits. (Almost every product of an amount and
/// a WAD price fits: the 128-bit path costs a fraction of a 256-bit division
/// on the SBF VM.)
pub fn mul_div(a: u128, b: u128, c: u128, rounding: Rounding) -> MathResult<u128> {
    if c == 0 {
        return Err(MathError::DivideByZero);
    }
    if let Some(product) = a.checked_mul(b) {
        let q = product / c;
        let exact = q * c == product; // q * c <= product: no overflow
        return Ok(if rounding == Rounding::Up && !exact {
            q + 1 // q < product / c + 1 <= u128::MAX
        } else {
            q
        });
    }
    mul_div_wide(a, b, c, rounding)
}

/// `mul_div` through a 256-bit product (any inputs; `c != 0`).
fn mul_div_wide(a: u128, b: u128, c: u128, rounding: Rounding) -> MathResult<u128> {
    if c == 0 {
        return Err(MathError::DivideByZero);
    }
    let product = U256::from(a) * U256::from(b);
    let (mut q, rem) = product.div_mod(U256::from(c));
    if rounding == Rounding::Up && !rem.is_zero() {
        q += U256::one();
    }
    if q > U256::from(u128::MAX) {
        return Err(MathError::Overflow);
    }
    Ok(q.as_u128())
}

/// `a * bps / 10_000`.
pub fn apply_bps(a: u128, bps: u128, rounding: Rounding) -> MathResult<u128> {
    mul_div(a, bps, BPS, rounding)
}

pub fn to_u64(x: u128) -> MathResult<u64> {
    u64::try_from(x).map_err(|_| MathError::Overflow)
}

/// Checked arithmetic in one call (`a.safe_add(b)?`): an overflow or a
/// division by zero is a named error, never a wrap or a panic.
pub trait SafeMath: Sized {
    fn safe_add(self, rhs: Self) -> MathResult<Self>;
    fn safe_sub(self, rhs: Self) -> MathResult<Self>;
    fn safe_mul(self, rhs: Self) -> MathResult<Self>;
    fn safe_div(self, rhs: Self) -> MathResult<Self>;
}

macro_rules! safe_math {
    ($($t:ty),*) => {$(
        impl SafeMath for $t {
            fn safe_add(self, rhs: Self) -> MathResult<Self> {
                self.checked_add(rhs).ok_or(MathError::Overflow)
            }
            fn safe_sub(self, rhs: Self) -> MathResult<Self> {
                self.checked_sub(rhs).ok_or(MathError::Overflow)
            }
            fn safe_mul(self, rhs: Self) -> MathResult<Self> {
                self.checked_mul(rhs).ok_or(MathError::Overflow)
            }
            fn safe_div(self, rhs: Self) -> MathResult<Self> {
                self.checked_div(rhs).ok_or(MathError::DivideByZero)
            }
        }
    )*};
}

safe_math!(u8, u16, u32, u64, u128, i64, i128);

pub fn checked_add(a: u128, b: u128) -> MathResult<u128> {
    a.checked_add(b).ok_or(MathError::Overflow)
}

pub fn checked_sub(a: u128, b: u128) -> MathResult<u128> {
    a.checked_sub(b).ok_or(MathError::Overflow)
}

/// 10^exp as u128 (exp <= 38).
pub fn pow10(exp: u32) -> MathResult<u128> {
    10u128.checked_pow(exp).ok_or(MathError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_math_names_overflow_and_division_by_zero() {
        assert_eq!(u64::MAX.safe_add(1), Err(MathError::Overflow));
        assert_eq!(0u64.safe_sub(1), Err(MathError::Overflow));
        assert_eq!(u128::MAX.safe_mul(2), Err(MathError::Overflow));
        assert_eq!(7u64.safe_div(0), Err(MathError::DivideByZero));
        assert_eq!(7u64.safe_add(3).and_then(|v| v.safe_div(2)), Ok(5));
    }
    use proptest::prelude::*;

    #[test]
    fn mul_div_rounds_both_ways() {
        assert_eq!(mul_div(10, 1, 3, Rounding::Down), Ok(3));
        assert_eq!(mul_div(10, 1, 3, Rounding::Up), Ok(4));
        assert_eq!(mul_div(9, 1, 3, Rounding::Up), Ok(3));
        assert_eq!(mul_div(1, 1, 0, Rounding::Up), Err(MathError::DivideByZero));
        assert_eq!(
            mul_div(u128::MAX, 2, 1, Rounding::Down),
            Err(MathError::Overflow)
        );
        // The intermediate may exceed 128 bits as long as the result fits.
        assert_eq!(mul_div(u128::MAX, WAD, WAD, Rounding::Down), Ok(u128::MAX));
    }

    proptest! {
        #[test]
        fn the_128_bit_path_agrees_with_the_256_bit_one(
            a in any::<u128>(), b in any::<u64>(), c in 1u128.., shift in 0u32..64,
        ) {
            let b = u128::from(b) << shift;
            for r in [Rounding::Down, Rounding::Up] {
                prop_assert_eq!(mul_div(a, b, c, r), mul_div_wide(a, b, c, r));
                let a = a >> 64;
                prop_assert_eq!(mul_div(a, b, c, r), mul_div_wide(a, b, c, r));
            }
        }

        #[test]
        fn up_is_down_plus_at_most_one(a in any::<u64>(), b in any::<u64>(), c in 1u64..) {
            let d = mul_div(a as u128, b as u128, c as u128, Rounding::Down).unwrap(); // allow: test-only
            let u = mul_div(a as u128, b as u128, c as u128, Rounding::Up).unwrap(); // allow: test-only
            prop_assert!(u == d || u == d + 1);
            prop_assert!(d * c as u128 <= a as u128 * b as u128);
            prop_assert!(u * c as u128 >= a as u128 * b as u128);
        }
    }
}
