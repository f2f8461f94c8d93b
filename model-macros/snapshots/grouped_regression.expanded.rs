fn grouped<'__model>(
    x: Vec<f64>,
    groups: usize,
    flips: &'__model [bool],
) -> grouped::Model<'__model> {
    grouped::Model {
        x,
        groups,
        flips,
        __reparam: grouped::Reparams::default(),
        __data: ::core::marker::PhantomData,
    }
}
///The typed sites of model [`grouped`](fn@grouped): markers, draw structs and configuration.
#[allow(non_camel_case_types, non_snake_case, clippy::all)]
mod grouped {
    #[allow(unused_imports)]
    use super::*;
    /// Zero-sized markers, one per site, carrying its name, role and distribution type.
    pub mod site {
        ///Marker of site `slope`: latent site, drawn from `Normal`.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct slope;
        ///Marker of site `offset`: latent site, drawn from `Normal`, one `Vec` entry per element of plate `groups`.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct offset;
        ///Marker of site `mu`: deterministic site, an `f64`, nested `Vec`s over plates `groups`, `members` (outermost first).
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct mu;
        ///Marker of site `flip`: observed site, drawn from `Bernoulli`, nested `Vec`s over plates `groups`, `members` (outermost first).
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct flip;
    }
    /// The site types of this model, tying its typed structs together.
    #[derive(Clone, Copy, Debug, Default)]
    pub struct Sites;
    #[doc(hidden)]
    pub const __SITE_NAMES: &[&str] = &["slope", "offset", "mu", "flip"];
    /// Values of the latent sites.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct Latent {
        ///`slope`: latent site, drawn from `Normal`.
        pub slope: <site::slope as ::model_runtime::__private::Site>::Field,
        ///`offset`: latent site, drawn from `Normal`, one `Vec` entry per element of plate `groups`.
        pub offset: <site::offset as ::model_runtime::__private::Site>::Field,
    }
    /// Values of the observed sites.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct Observed {
        ///`flip`: observed site, drawn from `Bernoulli`, nested `Vec`s over plates `groups`, `members` (outermost first).
        pub flip: <site::flip as ::model_runtime::__private::Site>::Field,
    }
    /// One complete draw: latent, observed and deterministic sites.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct Draw {
        ///`slope`: latent site, drawn from `Normal`.
        pub slope: <site::slope as ::model_runtime::__private::Site>::Field,
        ///`offset`: latent site, drawn from `Normal`, one `Vec` entry per element of plate `groups`.
        pub offset: <site::offset as ::model_runtime::__private::Site>::Field,
        ///`mu`: deterministic site, an `f64`, nested `Vec`s over plates `groups`, `members` (outermost first).
        pub mu: <site::mu as ::model_runtime::__private::Site>::Field,
        ///`flip`: observed site, drawn from `Bernoulli`, nested `Vec`s over plates `groups`, `members` (outermost first).
        pub flip: <site::flip as ::model_runtime::__private::Site>::Field,
    }
    /// Many draws, stored by site: one `Vec` per site with one entry per draw.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct Draws {
        ///`slope`: latent site, drawn from `Normal`. One entry per draw.
        pub slope: ::std::vec::Vec<
            <site::slope as ::model_runtime::__private::Site>::Field,
        >,
        ///`offset`: latent site, drawn from `Normal`, one `Vec` entry per element of plate `groups`. One entry per draw.
        pub offset: ::std::vec::Vec<
            <site::offset as ::model_runtime::__private::Site>::Field,
        >,
        ///`mu`: deterministic site, an `f64`, nested `Vec`s over plates `groups`, `members` (outermost first). One entry per draw.
        pub mu: ::std::vec::Vec<<site::mu as ::model_runtime::__private::Site>::Field>,
        ///`flip`: observed site, drawn from `Bernoulli`, nested `Vec`s over plates `groups`, `members` (outermost first). One entry per draw.
        pub flip: ::std::vec::Vec<
            <site::flip as ::model_runtime::__private::Site>::Field,
        >,
        __draws: usize,
    }
    /// The pointwise log-likelihood of the observed sites over many draws
    /// (`Fit::log_likelihood`), for PSIS-LOO and WAIC: each observed site's column holds,
    /// per draw, one value per observed element, nested like the site.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct LogLikelihood {
        ///Pointwise log-likelihood of site `flip`: observed site, drawn from `Bernoulli`, nested `Vec`s over plates `groups`, `members` (outermost first)., one entry per draw.
        pub flip: ::std::vec::Vec<
            <site::flip as ::model_runtime::__private::SampleSite>::LogLik,
        >,
    }
    /// How inference explores each latent site; set with the typed setters.
    #[derive(Clone, Debug, Default)]
    pub struct Reparams {
        #[doc(hidden)]
        pub slope: ::model_runtime::__private::ReparamSlot<site::slope>,
        #[doc(hidden)]
        pub offset: ::model_runtime::__private::ReparamSlot<site::offset>,
    }
    impl Reparams {
        ///Reparameterizes the latent site `slope`.
        pub fn slope<R: ::model_runtime::__private::ReparamOn<site::slope>>(
            mut self,
            reparameterizer: R,
        ) -> Self {
            self.slope = ::model_runtime::__private::ReparamOn::into_slot(
                reparameterizer,
            );
            self
        }
        ///Reparameterizes the latent site `offset`.
        pub fn offset<R: ::model_runtime::__private::ReparamOn<site::offset>>(
            mut self,
            reparameterizer: R,
        ) -> Self {
            self.offset = ::model_runtime::__private::ReparamOn::into_slot(
                reparameterizer,
            );
            self
        }
        ///`flip` is observed and cannot be reparameterized; this setter exists so that the compiler explains why.
        #[doc(hidden)]
        pub fn flip<R: ::model_runtime::__private::ReparamOn<site::flip>>(
            self,
            reparameterizer: R,
        ) -> Self {
            let _ = reparameterizer;
            self
        }
    }
    /// The model bound to its data.
    pub struct Model<'__model> {
        ///Data argument.
        pub x: Vec<f64>,
        ///Data argument.
        pub groups: usize,
        ///Data argument.
        pub flips: &'__model [bool],
        #[doc(hidden)]
        pub __reparam: Reparams,
        #[doc(hidden)]
        pub __data: ::core::marker::PhantomData<&'__model ()>,
    }
    impl<'__model> Model<'__model> {
        /// Sets how inference explores latent sites: `model.reparam(|r| r.site(Reparameterizer))`.
        pub fn reparam(
            mut self,
            configure: impl ::core::ops::FnOnce(Reparams) -> Reparams,
        ) -> Self {
            self.__reparam = configure(self.__reparam);
            self
        }
    }
    impl ::model_runtime::__private::ModelSites for Sites {
        const NAME: &'static str = stringify!(grouped);
        type Latent = Latent;
        type Observed = Observed;
        type Draw = Draw;
        type Draws = Draws;
        type LogLikelihood = LogLikelihood;
        type LatentSites = (site::slope, (site::offset, ()));
        const DISCRETE_LATENT: bool = false
            || !<<site::slope as ::model_runtime::__private::SampleSite>::Kind as ::model_runtime::__private::ValueKind>::CONTINUOUS
            || !<<site::offset as ::model_runtime::__private::SampleSite>::Kind as ::model_runtime::__private::ValueKind>::CONTINUOUS;
        fn latent_of(draw: &Draw) -> Latent {
            Latent {
                slope: ::core::clone::Clone::clone(&draw.slope),
                offset: ::core::clone::Clone::clone(&draw.offset),
            }
        }
        fn sites() -> &'static [(&'static str, ::model_runtime::__private::Role)] {
            &[
                ("slope", ::model_runtime::__private::Role::Latent),
                ("offset", ::model_runtime::__private::Role::Latent),
                ("mu", ::model_runtime::__private::Role::Deterministic),
                ("flip", ::model_runtime::__private::Role::Observed),
            ]
        }
        fn visit<V: ::model_runtime::__private::SiteVisitor<Self>>(visitor: &mut V) {
            visitor.sample::<site::slope>();
            visitor.sample::<site::offset>();
            visitor.deterministic::<site::mu>();
            visitor.sample::<site::flip>();
        }
    }
    impl ::model_runtime::__private::Columns for Draws {
        type Sites = Sites;
        fn len(&self) -> usize {
            self.__draws
        }
        fn set_len(&mut self, len: usize) {
            self.__draws = len;
        }
        fn latent(
            &self,
            i: usize,
        ) -> ::core::result::Result<Latent, ::model_runtime::__private::ModelError> {
            ::core::result::Result::Ok(Latent {
                slope: ::model_runtime::__private::column_entry(
                    &self.slope,
                    i,
                    "slope",
                )?,
                offset: ::model_runtime::__private::column_entry(
                    &self.offset,
                    i,
                    "offset",
                )?,
            })
        }
    }
}
impl ::model_runtime::__private::Site for grouped::site::slope {
    type Model = grouped::Sites;
    const NAME: &'static str = "slope";
    const ROLE: ::model_runtime::__private::Role = ::model_runtime::__private::Role::Latent;
    const DEPTH: usize = 0usize;
    const PLATES: &'static [&'static str] = &[];
    const INDEX: usize = 0usize;
    type Element = <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain;
    type Field = <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain;
    #[inline]
    fn field(
        draw: &grouped::Draw,
    ) -> &<<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain {
        &draw.slope
    }
    #[inline]
    fn field_mut(
        draw: &mut grouped::Draw,
    ) -> &mut <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain {
        &mut draw.slope
    }
    #[inline]
    fn column(
        columns: &grouped::Draws,
    ) -> &::std::vec::Vec<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        &columns.slope
    }
    #[inline]
    fn column_mut(
        columns: &mut grouped::Draws,
    ) -> &mut ::std::vec::Vec<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        &mut columns.slope
    }
}
impl ::model_runtime::__private::SampleSite for grouped::site::slope {
    type Dist = Normal;
    type Kind = <Normal as ::model_runtime::__private::Distribution>::Kind;
    type LogLik = <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise;
    #[allow(unused_variables)]
    fn log_likelihood(
        log_lik: &grouped::LogLikelihood,
    ) -> ::core::option::Option<
        &::std::vec::Vec<
            <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise,
        >,
    > {
        ::core::option::Option::None
    }
    #[allow(unused_variables)]
    fn log_likelihood_mut(
        log_lik: &mut grouped::LogLikelihood,
    ) -> ::core::option::Option<
        &mut ::std::vec::Vec<
            <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise,
        >,
    > {
        ::core::option::Option::None
    }
    #[allow(unused_variables)]
    fn lookup(
        latent: &grouped::Latent,
        index: &[usize],
    ) -> ::core::option::Option<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        ::model_runtime::__private::Nested::element(&latent.slope, index).cloned()
    }
}
impl ::model_runtime::__private::LatentSite for grouped::site::slope {}
impl ::model_runtime::__private::Site for grouped::site::offset {
    type Model = grouped::Sites;
    const NAME: &'static str = "offset";
    const ROLE: ::model_runtime::__private::Role = ::model_runtime::__private::Role::Latent;
    const DEPTH: usize = 1usize;
    const PLATES: &'static [&'static str] = &["groups"];
    const INDEX: usize = 1usize;
    type Element = <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain;
    type Field = ::std::vec::Vec<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    >;
    #[inline]
    fn field(
        draw: &grouped::Draw,
    ) -> &::std::vec::Vec<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        &draw.offset
    }
    #[inline]
    fn field_mut(
        draw: &mut grouped::Draw,
    ) -> &mut ::std::vec::Vec<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        &mut draw.offset
    }
    #[inline]
    fn column(
        columns: &grouped::Draws,
    ) -> &::std::vec::Vec<
        ::std::vec::Vec<
            <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
        >,
    > {
        &columns.offset
    }
    #[inline]
    fn column_mut(
        columns: &mut grouped::Draws,
    ) -> &mut ::std::vec::Vec<
        ::std::vec::Vec<
            <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
        >,
    > {
        &mut columns.offset
    }
}
impl ::model_runtime::__private::SampleSite for grouped::site::offset {
    type Dist = Normal;
    type Kind = <Normal as ::model_runtime::__private::Distribution>::Kind;
    type LogLik = ::std::vec::Vec<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise,
    >;
    #[allow(unused_variables)]
    fn log_likelihood(
        log_lik: &grouped::LogLikelihood,
    ) -> ::core::option::Option<
        &::std::vec::Vec<
            ::std::vec::Vec<
                <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise,
            >,
        >,
    > {
        ::core::option::Option::None
    }
    #[allow(unused_variables)]
    fn log_likelihood_mut(
        log_lik: &mut grouped::LogLikelihood,
    ) -> ::core::option::Option<
        &mut ::std::vec::Vec<
            ::std::vec::Vec<
                <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise,
            >,
        >,
    > {
        ::core::option::Option::None
    }
    #[allow(unused_variables)]
    fn lookup(
        latent: &grouped::Latent,
        index: &[usize],
    ) -> ::core::option::Option<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        ::model_runtime::__private::Nested::element(&latent.offset, index).cloned()
    }
}
impl ::model_runtime::__private::LatentSite for grouped::site::offset {}
impl ::model_runtime::__private::Site for grouped::site::mu {
    type Model = grouped::Sites;
    const NAME: &'static str = "mu";
    const ROLE: ::model_runtime::__private::Role = ::model_runtime::__private::Role::Deterministic;
    const DEPTH: usize = 2usize;
    const PLATES: &'static [&'static str] = &["groups", "members"];
    const INDEX: usize = 2usize;
    type Element = f64;
    type Field = ::std::vec::Vec<::std::vec::Vec<f64>>;
    #[inline]
    fn field(draw: &grouped::Draw) -> &::std::vec::Vec<::std::vec::Vec<f64>> {
        &draw.mu
    }
    #[inline]
    fn field_mut(
        draw: &mut grouped::Draw,
    ) -> &mut ::std::vec::Vec<::std::vec::Vec<f64>> {
        &mut draw.mu
    }
    #[inline]
    fn column(
        columns: &grouped::Draws,
    ) -> &::std::vec::Vec<::std::vec::Vec<::std::vec::Vec<f64>>> {
        &columns.mu
    }
    #[inline]
    fn column_mut(
        columns: &mut grouped::Draws,
    ) -> &mut ::std::vec::Vec<::std::vec::Vec<::std::vec::Vec<f64>>> {
        &mut columns.mu
    }
}
impl ::model_runtime::__private::DeterministicSite for grouped::site::mu {}
impl ::model_runtime::__private::Site for grouped::site::flip {
    type Model = grouped::Sites;
    const NAME: &'static str = "flip";
    const ROLE: ::model_runtime::__private::Role = ::model_runtime::__private::Role::Observed;
    const DEPTH: usize = 2usize;
    const PLATES: &'static [&'static str] = &["groups", "members"];
    const INDEX: usize = 3usize;
    type Element = <<Bernoulli as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain;
    type Field = ::std::vec::Vec<
        ::std::vec::Vec<
            <<Bernoulli as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
        >,
    >;
    #[inline]
    fn field(
        draw: &grouped::Draw,
    ) -> &::std::vec::Vec<
        ::std::vec::Vec<
            <<Bernoulli as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
        >,
    > {
        &draw.flip
    }
    #[inline]
    fn field_mut(
        draw: &mut grouped::Draw,
    ) -> &mut ::std::vec::Vec<
        ::std::vec::Vec<
            <<Bernoulli as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
        >,
    > {
        &mut draw.flip
    }
    #[inline]
    fn column(
        columns: &grouped::Draws,
    ) -> &::std::vec::Vec<
        ::std::vec::Vec<
            ::std::vec::Vec<
                <<Bernoulli as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
            >,
        >,
    > {
        &columns.flip
    }
    #[inline]
    fn column_mut(
        columns: &mut grouped::Draws,
    ) -> &mut ::std::vec::Vec<
        ::std::vec::Vec<
            ::std::vec::Vec<
                <<Bernoulli as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
            >,
        >,
    > {
        &mut columns.flip
    }
}
impl ::model_runtime::__private::SampleSite for grouped::site::flip {
    type Dist = Bernoulli;
    type Kind = <Bernoulli as ::model_runtime::__private::Distribution>::Kind;
    type LogLik = ::std::vec::Vec<
        ::std::vec::Vec<
            <<Bernoulli as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise,
        >,
    >;
    #[allow(unused_variables)]
    fn log_likelihood(
        log_lik: &grouped::LogLikelihood,
    ) -> ::core::option::Option<
        &::std::vec::Vec<
            ::std::vec::Vec<
                ::std::vec::Vec<
                    <<Bernoulli as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise,
                >,
            >,
        >,
    > {
        ::core::option::Option::Some(&log_lik.flip)
    }
    #[allow(unused_variables)]
    fn log_likelihood_mut(
        log_lik: &mut grouped::LogLikelihood,
    ) -> ::core::option::Option<
        &mut ::std::vec::Vec<
            ::std::vec::Vec<
                ::std::vec::Vec<
                    <<Bernoulli as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise,
                >,
            >,
        >,
    > {
        ::core::option::Option::Some(&mut log_lik.flip)
    }
    #[allow(unused_variables)]
    fn lookup(
        latent: &grouped::Latent,
        index: &[usize],
    ) -> ::core::option::Option<
        <<Bernoulli as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        ::core::option::Option::None
    }
}
impl ::model_runtime::__private::ObservedSite for grouped::site::flip {}
const _: fn() = ::model_runtime::__private::assert_samplable::<Bernoulli>;
impl<'__model> ::model_runtime::__private::Model for grouped::Model<'__model> {
    type Sites = grouped::Sites;
}
impl<'__model> ::model_runtime::__private::Body<f64> for grouped::Model<'__model> {
    #[allow(unused_variables, unused_mut, unused_braces, clippy::all)]
    fn body<__H>(
        &self,
        __handler: &mut __H,
    ) -> ::core::result::Result<(), ::model_runtime::__private::ModelError>
    where
        __H: ::model_runtime::__private::Handler<grouped::Sites, f64>,
    {
        type __T = f64;
        /// A data value as this body's scalar (see `model_runtime::scalar`).
        #[allow(dead_code)]
        fn scalar(x: f64) -> __T {
            <__T as ::model_runtime::__private::Scalar>::from_f64(x)
        }
        let x = &self.x;
        let groups = self.groups;
        let flips = self.flips;
        let slope = {
            ::model_runtime::__private::enter::<
                grouped::Sites,
                __T,
                __H,
            >(__handler, "slope", &[]);
            {
                let __dist = ::model_runtime::__private::IntoDistribution::into_distribution(
                    Normal::new(
                        ::model_runtime::__private::IntoParam::<__T>::into_param(0.0),
                        ::model_runtime::__private::IntoParam::<__T>::into_param(1.0),
                    ),
                );
                ::model_runtime::__private::sample_latent::<
                    grouped::site::slope,
                    _,
                    __T,
                    __H,
                >(__handler, &[], __dist, &self.__reparam.slope)?
            }
        };
        {
            ::model_runtime::__private::enter::<
                grouped::Sites,
                __T,
                __H,
            >(__handler, "groups", &[]);
            {
                let __plate_size: usize = groups;
                let mut __plate_values = ::std::vec::Vec::with_capacity(__plate_size);
                for __plate_index_1 in 0..__plate_size {
                    let g = __plate_index_1;
                    ::model_runtime::__private::enumeration_begin::<
                        grouped::Sites,
                        __T,
                        __H,
                    >(__handler, "groups");
                    let __plate_value = loop {
                        ::model_runtime::__private::enter::<
                            grouped::Sites,
                            __T,
                            __H,
                        >(__handler, "groups", &[__plate_index_1]);
                        let __plate_value = {
                            let offset = {
                                ::model_runtime::__private::enter::<
                                    grouped::Sites,
                                    __T,
                                    __H,
                                >(__handler, "offset", &[__plate_index_1]);
                                {
                                    let __dist = ::model_runtime::__private::IntoDistribution::into_distribution(
                                        Normal::new(
                                            ::model_runtime::__private::IntoParam::<
                                                __T,
                                            >::into_param(0.0),
                                            ::model_runtime::__private::IntoParam::<
                                                __T,
                                            >::into_param(1.0),
                                        ),
                                    );
                                    ::model_runtime::__private::sample_latent::<
                                        grouped::site::offset,
                                        _,
                                        __T,
                                        __H,
                                    >(
                                        __handler,
                                        &[__plate_index_1],
                                        __dist,
                                        &self.__reparam.offset,
                                    )?
                                }
                            };
                            {
                                ::model_runtime::__private::enter::<
                                    grouped::Sites,
                                    __T,
                                    __H,
                                >(__handler, "members", &[__plate_index_1]);
                                {
                                    let __plate_size: usize = x.len();
                                    {
                                        #[allow(unused_imports)]
                                        use ::model_runtime::__private::{
                                            KnownDataLen as _, UnknownDataLen as _,
                                        };
                                        ::model_runtime::__private::check_plate_data(
                                            "members",
                                            &[__plate_index_1],
                                            __plate_size,
                                            "x",
                                            (&&::model_runtime::__private::DataLen(&x)).data_len(),
                                        )?;
                                    }
                                    let mut __plate_values = ::std::vec::Vec::with_capacity(
                                        __plate_size,
                                    );
                                    for __plate_index_3 in 0..__plate_size {
                                        let i = __plate_index_3;
                                        ::model_runtime::__private::enumeration_begin::<
                                            grouped::Sites,
                                            __T,
                                            __H,
                                        >(__handler, "members");
                                        let __plate_value = loop {
                                            ::model_runtime::__private::enter::<
                                                grouped::Sites,
                                                __T,
                                                __H,
                                            >(
                                                __handler,
                                                "members",
                                                &[__plate_index_1, __plate_index_3],
                                            );
                                            let __plate_value = {
                                                let mu = {
                                                    ::model_runtime::__private::enter::<
                                                        grouped::Sites,
                                                        __T,
                                                        __H,
                                                    >(__handler, "mu", &[__plate_index_1, __plate_index_3]);
                                                    ::model_runtime::__private::deterministic::<
                                                        grouped::site::mu,
                                                        __T,
                                                        __H,
                                                    >(
                                                        __handler,
                                                        &[__plate_index_1, __plate_index_3],
                                                        ::model_runtime::__private::IntoParam::<
                                                            __T,
                                                        >::into_param(offset + slope * x[i]),
                                                    )?
                                                };
                                                {
                                                    ::model_runtime::__private::enter::<
                                                        grouped::Sites,
                                                        __T,
                                                        __H,
                                                    >(__handler, "flip", &[__plate_index_1, __plate_index_3]);
                                                    {
                                                        let __dist = ::model_runtime::__private::IntoDistribution::into_distribution(
                                                            Bernoulli::from_logits(
                                                                ::model_runtime::__private::IntoParam::<__T>::into_param(mu),
                                                            ),
                                                        );
                                                        let __obs = flips[g * x.len() + i];
                                                        ::model_runtime::__private::observe_scaled::<
                                                            grouped::site::flip,
                                                            _,
                                                            __T,
                                                            __H,
                                                        >(
                                                            __handler,
                                                            &[__plate_index_1, __plate_index_3],
                                                            __dist,
                                                            ::model_runtime::__private::observed_data::<
                                                                grouped::site::flip,
                                                                _,
                                                            >(&__obs),
                                                            1.0,
                                                        )?
                                                    }
                                                };
                                            };
                                            if !::model_runtime::__private::enumeration_next::<
                                                grouped::Sites,
                                                __T,
                                                __H,
                                            >(__handler)? {
                                                break __plate_value;
                                            }
                                        };
                                        __plate_values.push(__plate_value);
                                    }
                                    __plate_values
                                }
                            };
                        };
                        if !::model_runtime::__private::enumeration_next::<
                            grouped::Sites,
                            __T,
                            __H,
                        >(__handler)? {
                            break __plate_value;
                        }
                    };
                    __plate_values.push(__plate_value);
                }
                __plate_values
            }
        };
        {
            ::model_runtime::__private::enter::<
                grouped::Sites,
                __T,
                __H,
            >(__handler, "shrink", &[]);
            ::model_runtime::__private::factor::<
                grouped::Sites,
                __T,
                __H,
            >(
                __handler,
                "shrink",
                &[],
                ::model_runtime::__private::IntoParam::<
                    __T,
                >::into_param(-(slope * slope)),
            )?
        };
        ::core::result::Result::Ok(())
    }
}
impl<'__model> ::model_runtime::__private::Body<::model_runtime::__private::Var>
for grouped::Model<'__model> {
    #[allow(unused_variables, unused_mut, unused_braces, clippy::all)]
    fn body<__H>(
        &self,
        __handler: &mut __H,
    ) -> ::core::result::Result<(), ::model_runtime::__private::ModelError>
    where
        __H: ::model_runtime::__private::Handler<
            grouped::Sites,
            ::model_runtime::__private::Var,
        >,
    {
        type __T = ::model_runtime::__private::Var;
        /// A data value as this body's scalar (see `model_runtime::scalar`).
        #[allow(dead_code)]
        fn scalar(x: f64) -> __T {
            <__T as ::model_runtime::__private::Scalar>::from_f64(x)
        }
        let x = &self.x;
        let groups = self.groups;
        let flips = self.flips;
        let slope = {
            ::model_runtime::__private::enter::<
                grouped::Sites,
                __T,
                __H,
            >(__handler, "slope", &[]);
            {
                let __dist = ::model_runtime::__private::IntoDistribution::into_distribution(
                    Normal::new(
                        ::model_runtime::__private::IntoParam::<__T>::into_param(0.0),
                        ::model_runtime::__private::IntoParam::<__T>::into_param(1.0),
                    ),
                );
                ::model_runtime::__private::sample_latent::<
                    grouped::site::slope,
                    _,
                    __T,
                    __H,
                >(__handler, &[], __dist, &self.__reparam.slope)?
            }
        };
        {
            ::model_runtime::__private::enter::<
                grouped::Sites,
                __T,
                __H,
            >(__handler, "groups", &[]);
            {
                let __plate_size: usize = groups;
                let mut __plate_values = ::std::vec::Vec::with_capacity(__plate_size);
                for __plate_index_1 in 0..__plate_size {
                    let g = __plate_index_1;
                    ::model_runtime::__private::enumeration_begin::<
                        grouped::Sites,
                        __T,
                        __H,
                    >(__handler, "groups");
                    let __plate_value = loop {
                        ::model_runtime::__private::enter::<
                            grouped::Sites,
                            __T,
                            __H,
                        >(__handler, "groups", &[__plate_index_1]);
                        let __plate_value = {
                            let offset = {
                                ::model_runtime::__private::enter::<
                                    grouped::Sites,
                                    __T,
                                    __H,
                                >(__handler, "offset", &[__plate_index_1]);
                                {
                                    let __dist = ::model_runtime::__private::IntoDistribution::into_distribution(
                                        Normal::new(
                                            ::model_runtime::__private::IntoParam::<
                                                __T,
                                            >::into_param(0.0),
                                            ::model_runtime::__private::IntoParam::<
                                                __T,
                                            >::into_param(1.0),
                                        ),
                                    );
                                    ::model_runtime::__private::sample_latent::<
                                        grouped::site::offset,
                                        _,
                                        __T,
                                        __H,
                                    >(
                                        __handler,
                                        &[__plate_index_1],
                                        __dist,
                                        &self.__reparam.offset,
                                    )?
                                }
                            };
                            {
                                ::model_runtime::__private::enter::<
                                    grouped::Sites,
                                    __T,
                                    __H,
                                >(__handler, "members", &[__plate_index_1]);
                                {
                                    let __plate_size: usize = x.len();
                                    {
                                        #[allow(unused_imports)]
                                        use ::model_runtime::__private::{
                                            KnownDataLen as _, UnknownDataLen as _,
                                        };
                                        ::model_runtime::__private::check_plate_data(
                                            "members",
                                            &[__plate_index_1],
                                            __plate_size,
                                            "x",
                                            (&&::model_runtime::__private::DataLen(&x)).data_len(),
                                        )?;
                                    }
                                    let mut __plate_values = ::std::vec::Vec::with_capacity(
                                        __plate_size,
                                    );
                                    for __plate_index_3 in 0..__plate_size {
                                        let i = __plate_index_3;
                                        ::model_runtime::__private::enumeration_begin::<
                                            grouped::Sites,
                                            __T,
                                            __H,
                                        >(__handler, "members");
                                        let __plate_value = loop {
                                            ::model_runtime::__private::enter::<
                                                grouped::Sites,
                                                __T,
                                                __H,
                                            >(
                                                __handler,
                                                "members",
                                                &[__plate_index_1, __plate_index_3],
                                            );
                                            let __plate_value = {
                                                let mu = {
                                                    ::model_runtime::__private::enter::<
                                                        grouped::Sites,
                                                        __T,
                                                        __H,
                                                    >(__handler, "mu", &[__plate_index_1, __plate_index_3]);
                                                    ::model_runtime::__private::deterministic::<
                                                        grouped::site::mu,
                                                        __T,
                                                        __H,
                                                    >(
                                                        __handler,
                                                        &[__plate_index_1, __plate_index_3],
                                                        ::model_runtime::__private::IntoParam::<
                                                            __T,
                                                        >::into_param(offset + slope * x[i]),
                                                    )?
                                                };
                                                {
                                                    ::model_runtime::__private::enter::<
                                                        grouped::Sites,
                                                        __T,
                                                        __H,
                                                    >(__handler, "flip", &[__plate_index_1, __plate_index_3]);
                                                    {
                                                        let __dist = ::model_runtime::__private::IntoDistribution::into_distribution(
                                                            Bernoulli::from_logits(
                                                                ::model_runtime::__private::IntoParam::<__T>::into_param(mu),
                                                            ),
                                                        );
                                                        let __obs = flips[g * x.len() + i];
                                                        ::model_runtime::__private::observe_scaled::<
                                                            grouped::site::flip,
                                                            _,
                                                            __T,
                                                            __H,
                                                        >(
                                                            __handler,
                                                            &[__plate_index_1, __plate_index_3],
                                                            __dist,
                                                            ::model_runtime::__private::observed_data::<
                                                                grouped::site::flip,
                                                                _,
                                                            >(&__obs),
                                                            1.0,
                                                        )?
                                                    }
                                                };
                                            };
                                            if !::model_runtime::__private::enumeration_next::<
                                                grouped::Sites,
                                                __T,
                                                __H,
                                            >(__handler)? {
                                                break __plate_value;
                                            }
                                        };
                                        __plate_values.push(__plate_value);
                                    }
                                    __plate_values
                                }
                            };
                        };
                        if !::model_runtime::__private::enumeration_next::<
                            grouped::Sites,
                            __T,
                            __H,
                        >(__handler)? {
                            break __plate_value;
                        }
                    };
                    __plate_values.push(__plate_value);
                }
                __plate_values
            }
        };
        {
            ::model_runtime::__private::enter::<
                grouped::Sites,
                __T,
                __H,
            >(__handler, "shrink", &[]);
            ::model_runtime::__private::factor::<
                grouped::Sites,
                __T,
                __H,
            >(
                __handler,
                "shrink",
                &[],
                ::model_runtime::__private::IntoParam::<
                    __T,
                >::into_param(-(slope * slope)),
            )?
        };
        ::core::result::Result::Ok(())
    }
}
