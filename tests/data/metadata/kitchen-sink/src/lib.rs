//! root lib
