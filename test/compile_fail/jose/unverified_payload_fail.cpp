// expect: sealpipe: a Verified<T> is made only by a jose verify function
// A payload cannot be passed off as verified: making a Verified<T> by hand is a compile error.
#include <sealpipe/jose/jws.hpp>

sealpipe::jose::Verified<boost::json::object> launder(const sealpipe::jose::SqoolerJws&,
                                                      boost::json::object unverified) {
    return sealpipe::jose::Verified<boost::json::object>(std::move(unverified), std::string("kid"));
}
