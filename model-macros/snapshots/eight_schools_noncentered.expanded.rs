pub fn eight_schools<'__model>(
    y: &'__model [f64],
    sigma: &'__model [f64],
) -> eight_schools::Model<'__model> {
    eight_schools::Model {
        y,
        sigma,
        __reparam: eight_schools::Reparams::default().theta(LocScaleReparam::default()),
        __data: ::core::marker::PhantomData,
    }
}
///The typed sites of model [`eight_schools`](fn@eight_schools): markers, draw structs and configuration.
#[allow(non_camel_case_types, non_snake_case, clippy::all)]
pub mod eight_schools {
    #[allow(unused_imports)]
    use super::*;
    /// Zero-sized markers, one per site, carrying its name, role and distribution type.
    pub mod site {
        ///Marker of site `mu`: latent site, drawn from `Normal`.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct mu;
        ///Marker of site `tau`: latent site, drawn from `HalfCauchy`.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct tau;
        ///Marker of site `theta`: latent site, drawn from `Normal`, one `Vec` entry per element of plate `schools`.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct theta;
        ///Marker of site `y`: observed site, drawn from `Normal`, one `Vec` entry per element of plate `schools`.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct y;
    }
    /// The site types of this model, tying its typed structs together.
    #[derive(Clone, Copy, Debug, Default)]
    pub struct Sites;
    #[doc(hidden)]
    pub const __SITE_NAMES: &[&str] = &["mu", "tau", "theta", "y"];
    /// Values of the latent sites.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct Latent {
        ///`mu`: latent site, drawn from `Normal`.
        pub mu: <site::mu as ::model_runtime::__private::Site>::Field,
        ///`tau`: latent site, drawn from `HalfCauchy`.
        pub tau: <site::tau as ::model_runtime::__private::Site>::Field,
        ///`theta`: latent site, drawn from `Normal`, one `Vec` entry per element of plate `schools`.
        pub theta: <site::theta as ::model_runtime::__private::Site>::Field,
    }
    /// Values of the observed sites.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct Observed {
        ///`y`: observed site, drawn from `Normal`, one `Vec` entry per element of plate `schools`.
        pub y: <site::y as ::model_runtime::__private::Site>::Field,
    }
    /// One complete draw: latent, observed and deterministic sites.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct Draw {
        ///`mu`: latent site, drawn from `Normal`.
        pub mu: <site::mu as ::model_runtime::__private::Site>::Field,
        ///`tau`: latent site, drawn from `HalfCauchy`.
        pub tau: <site::tau as ::model_runtime::__private::Site>::Field,
        ///`theta`: latent site, drawn from `Normal`, one `Vec` entry per element of plate `schools`.
        pub theta: <site::theta as ::model_runtime::__private::Site>::Field,
        ///`y`: observed site, drawn from `Normal`, one `Vec` entry per element of plate `schools`.
        pub y: <site::y as ::model_runtime::__private::Site>::Field,
    }
    /// Many draws, stored by site: one `Vec` per site with one entry per draw.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct Draws {
        ///`mu`: latent site, drawn from `Normal`. One entry per draw.
        pub mu: ::std::vec::Vec<<site::mu as ::model_runtime::__private::Site>::Field>,
        ///`tau`: latent site, drawn from `HalfCauchy`. One entry per draw.
        pub tau: ::std::vec::Vec<<site::tau as ::model_runtime::__private::Site>::Field>,
        ///`theta`: latent site, drawn from `Normal`, one `Vec` entry per element of plate `schools`. One entry per draw.
        pub theta: ::std::vec::Vec<
            <site::theta as ::model_runtime::__private::Site>::Field,
        >,
        ///`y`: observed site, drawn from `Normal`, one `Vec` entry per element of plate `schools`. One entry per draw.
        pub y: ::std::vec::Vec<<site::y as ::model_runtime::__private::Site>::Field>,
        __draws: usize,
    }
    /// The pointwise log-likelihood of the observed sites over many draws
    /// (`Fit::log_likelihood`), for PSIS-LOO and WAIC: each observed site's column holds,
    /// per draw, one value per observed element, nested like the site.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct LogLikelihood {
        ///Pointwise log-likelihood of site `y`: observed site, drawn from `Normal`, one `Vec` entry per element of plate `schools`., one entry per draw.
        pub y: ::std::vec::Vec<
            <site::y as ::model_runtime::__private::SampleSite>::LogLik,
        >,
    }
    /// How inference explores each latent site; set with the typed setters.
    #[derive(Clone, Debug, Default)]
    pub struct Reparams {
        #[doc(hidden)]
        pub mu: ::model_runtime::__private::ReparamSlot<site::mu>,
        #[doc(hidden)]
        pub tau: ::model_runtime::__private::ReparamSlot<site::tau>,
        #[doc(hidden)]
        pub theta: ::model_runtime::__private::ReparamSlot<site::theta>,
    }
    impl Reparams {
        ///Reparameterizes the latent site `mu`.
        pub fn mu<R: ::model_runtime::__private::ReparamOn<site::mu>>(
            mut self,
            reparameterizer: R,
        ) -> Self {
            self.mu = ::model_runtime::__private::ReparamOn::into_slot(reparameterizer);
            self
        }
        ///Reparameterizes the latent site `tau`.
        pub fn tau<R: ::model_runtime::__private::ReparamOn<site::tau>>(
            mut self,
            reparameterizer: R,
        ) -> Self {
            self.tau = ::model_runtime::__private::ReparamOn::into_slot(reparameterizer);
            self
        }
        ///Reparameterizes the latent site `theta`.
        pub fn theta<R: ::model_runtime::__private::ReparamOn<site::theta>>(
            mut self,
            reparameterizer: R,
        ) -> Self {
            self.theta = ::model_runtime::__private::ReparamOn::into_slot(
                reparameterizer,
            );
            self
        }
        ///`y` is observed and cannot be reparameterized; this setter exists so that the compiler explains why.
        #[doc(hidden)]
        pub fn y<R: ::model_runtime::__private::ReparamOn<site::y>>(
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
        pub y: &'__model [f64],
        ///Data argument.
        pub sigma: &'__model [f64],
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
        const NAME: &'static str = stringify!(eight_schools);
        type Latent = Latent;
        type Observed = Observed;
        type Draw = Draw;
        type Draws = Draws;
        type LogLikelihood = LogLikelihood;
        type LatentSites = (site::mu, (site::tau, (site::theta, ())));
        const DISCRETE_LATENT: bool = false
            || !<<site::mu as ::model_runtime::__private::SampleSite>::Kind as ::model_runtime::__private::ValueKind>::CONTINUOUS
            || !<<site::tau as ::model_runtime::__private::SampleSite>::Kind as ::model_runtime::__private::ValueKind>::CONTINUOUS
            || !<<site::theta as ::model_runtime::__private::SampleSite>::Kind as ::model_runtime::__private::ValueKind>::CONTINUOUS;
        fn latent_of(draw: &Draw) -> Latent {
            Latent {
                mu: ::core::clone::Clone::clone(&draw.mu),
                tau: ::core::clone::Clone::clone(&draw.tau),
                theta: ::core::clone::Clone::clone(&draw.theta),
            }
        }
        fn sites() -> &'static [(&'static str, ::model_runtime::__private::Role)] {
            &[
                ("mu", ::model_runtime::__private::Role::Latent),
                ("tau", ::model_runtime::__private::Role::Latent),
                ("theta", ::model_runtime::__private::Role::Latent),
                ("y", ::model_runtime::__private::Role::Observed),
            ]
        }
        fn visit<V: ::model_runtime::__private::SiteVisitor<Self>>(visitor: &mut V) {
            visitor.sample::<site::mu>();
            visitor.sample::<site::tau>();
            visitor.sample::<site::theta>();
            visitor.sample::<site::y>();
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
                mu: ::model_runtime::__private::column_entry(&self.mu, i, "mu")?,
                tau: ::model_runtime::__private::column_entry(&self.tau, i, "tau")?,
                theta: ::model_runtime::__private::column_entry(&self.theta, i, "theta")?,
            })
        }
    }
}
impl ::model_runtime::__private::Site for eight_schools::site::mu {
    type Model = eight_schools::Sites;
    const NAME: &'static str = "mu";
    const ROLE: ::model_runtime::__private::Role = ::model_runtime::__private::Role::Latent;
    const DEPTH: usize = 0usize;
    const PLATES: &'static [&'static str] = &[];
    const INDEX: usize = 0usize;
    type Element = <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain;
    type Field = <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain;
    #[inline]
    fn field(
        draw: &eight_schools::Draw,
    ) -> &<<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain {
        &draw.mu
    }
    #[inline]
    fn field_mut(
        draw: &mut eight_schools::Draw,
    ) -> &mut <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain {
        &mut draw.mu
    }
    #[inline]
    fn column(
        columns: &eight_schools::Draws,
    ) -> &::std::vec::Vec<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        &columns.mu
    }
    #[inline]
    fn column_mut(
        columns: &mut eight_schools::Draws,
    ) -> &mut ::std::vec::Vec<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        &mut columns.mu
    }
}
impl ::model_runtime::__private::SampleSite for eight_schools::site::mu {
    type Dist = Normal;
    type Kind = <Normal as ::model_runtime::__private::Distribution>::Kind;
    type LogLik = <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise;
    #[allow(unused_variables)]
    fn log_likelihood(
        log_lik: &eight_schools::LogLikelihood,
    ) -> ::core::option::Option<
        &::std::vec::Vec<
            <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise,
        >,
    > {
        ::core::option::Option::None
    }
    #[allow(unused_variables)]
    fn log_likelihood_mut(
        log_lik: &mut eight_schools::LogLikelihood,
    ) -> ::core::option::Option<
        &mut ::std::vec::Vec<
            <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise,
        >,
    > {
        ::core::option::Option::None
    }
    #[allow(unused_variables)]
    fn lookup(
        latent: &eight_schools::Latent,
        index: &[usize],
    ) -> ::core::option::Option<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        ::model_runtime::__private::Nested::element(&latent.mu, index).cloned()
    }
}
impl ::model_runtime::__private::LatentSite for eight_schools::site::mu {}
impl ::model_runtime::__private::Site for eight_schools::site::tau {
    type Model = eight_schools::Sites;
    const NAME: &'static str = "tau";
    const ROLE: ::model_runtime::__private::Role = ::model_runtime::__private::Role::Latent;
    const DEPTH: usize = 0usize;
    const PLATES: &'static [&'static str] = &[];
    const INDEX: usize = 1usize;
    type Element = <<HalfCauchy as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain;
    type Field = <<HalfCauchy as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain;
    #[inline]
    fn field(
        draw: &eight_schools::Draw,
    ) -> &<<HalfCauchy as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain {
        &draw.tau
    }
    #[inline]
    fn field_mut(
        draw: &mut eight_schools::Draw,
    ) -> &mut <<HalfCauchy as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain {
        &mut draw.tau
    }
    #[inline]
    fn column(
        columns: &eight_schools::Draws,
    ) -> &::std::vec::Vec<
        <<HalfCauchy as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        &columns.tau
    }
    #[inline]
    fn column_mut(
        columns: &mut eight_schools::Draws,
    ) -> &mut ::std::vec::Vec<
        <<HalfCauchy as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        &mut columns.tau
    }
}
impl ::model_runtime::__private::SampleSite for eight_schools::site::tau {
    type Dist = HalfCauchy;
    type Kind = <HalfCauchy as ::model_runtime::__private::Distribution>::Kind;
    type LogLik = <<HalfCauchy as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise;
    #[allow(unused_variables)]
    fn log_likelihood(
        log_lik: &eight_schools::LogLikelihood,
    ) -> ::core::option::Option<
        &::std::vec::Vec<
            <<HalfCauchy as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise,
        >,
    > {
        ::core::option::Option::None
    }
    #[allow(unused_variables)]
    fn log_likelihood_mut(
        log_lik: &mut eight_schools::LogLikelihood,
    ) -> ::core::option::Option<
        &mut ::std::vec::Vec<
            <<HalfCauchy as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise,
        >,
    > {
        ::core::option::Option::None
    }
    #[allow(unused_variables)]
    fn lookup(
        latent: &eight_schools::Latent,
        index: &[usize],
    ) -> ::core::option::Option<
        <<HalfCauchy as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        ::model_runtime::__private::Nested::element(&latent.tau, index).cloned()
    }
}
impl ::model_runtime::__private::LatentSite for eight_schools::site::tau {}
impl ::model_runtime::__private::Site for eight_schools::site::theta {
    type Model = eight_schools::Sites;
    const NAME: &'static str = "theta";
    const ROLE: ::model_runtime::__private::Role = ::model_runtime::__private::Role::Latent;
    const DEPTH: usize = 1usize;
    const PLATES: &'static [&'static str] = &["schools"];
    const INDEX: usize = 2usize;
    type Element = <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain;
    type Field = ::std::vec::Vec<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    >;
    #[inline]
    fn field(
        draw: &eight_schools::Draw,
    ) -> &::std::vec::Vec<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        &draw.theta
    }
    #[inline]
    fn field_mut(
        draw: &mut eight_schools::Draw,
    ) -> &mut ::std::vec::Vec<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        &mut draw.theta
    }
    #[inline]
    fn column(
        columns: &eight_schools::Draws,
    ) -> &::std::vec::Vec<
        ::std::vec::Vec<
            <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
        >,
    > {
        &columns.theta
    }
    #[inline]
    fn column_mut(
        columns: &mut eight_schools::Draws,
    ) -> &mut ::std::vec::Vec<
        ::std::vec::Vec<
            <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
        >,
    > {
        &mut columns.theta
    }
}
impl ::model_runtime::__private::SampleSite for eight_schools::site::theta {
    type Dist = Normal;
    type Kind = <Normal as ::model_runtime::__private::Distribution>::Kind;
    type LogLik = ::std::vec::Vec<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise,
    >;
    #[allow(unused_variables)]
    fn log_likelihood(
        log_lik: &eight_schools::LogLikelihood,
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
        log_lik: &mut eight_schools::LogLikelihood,
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
        latent: &eight_schools::Latent,
        index: &[usize],
    ) -> ::core::option::Option<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        ::model_runtime::__private::Nested::element(&latent.theta, index).cloned()
    }
}
impl ::model_runtime::__private::LatentSite for eight_schools::site::theta {}
impl ::model_runtime::__private::Site for eight_schools::site::y {
    type Model = eight_schools::Sites;
    const NAME: &'static str = "y";
    const ROLE: ::model_runtime::__private::Role = ::model_runtime::__private::Role::Observed;
    const DEPTH: usize = 1usize;
    const PLATES: &'static [&'static str] = &["schools"];
    const INDEX: usize = 3usize;
    type Element = <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain;
    type Field = ::std::vec::Vec<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    >;
    #[inline]
    fn field(
        draw: &eight_schools::Draw,
    ) -> &::std::vec::Vec<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        &draw.y
    }
    #[inline]
    fn field_mut(
        draw: &mut eight_schools::Draw,
    ) -> &mut ::std::vec::Vec<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        &mut draw.y
    }
    #[inline]
    fn column(
        columns: &eight_schools::Draws,
    ) -> &::std::vec::Vec<
        ::std::vec::Vec<
            <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
        >,
    > {
        &columns.y
    }
    #[inline]
    fn column_mut(
        columns: &mut eight_schools::Draws,
    ) -> &mut ::std::vec::Vec<
        ::std::vec::Vec<
            <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
        >,
    > {
        &mut columns.y
    }
}
impl ::model_runtime::__private::SampleSite for eight_schools::site::y {
    type Dist = Normal;
    type Kind = <Normal as ::model_runtime::__private::Distribution>::Kind;
    type LogLik = ::std::vec::Vec<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise,
    >;
    #[allow(unused_variables)]
    fn log_likelihood(
        log_lik: &eight_schools::LogLikelihood,
    ) -> ::core::option::Option<
        &::std::vec::Vec<
            ::std::vec::Vec<
                <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise,
            >,
        >,
    > {
        ::core::option::Option::Some(&log_lik.y)
    }
    #[allow(unused_variables)]
    fn log_likelihood_mut(
        log_lik: &mut eight_schools::LogLikelihood,
    ) -> ::core::option::Option<
        &mut ::std::vec::Vec<
            ::std::vec::Vec<
                <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise,
            >,
        >,
    > {
        ::core::option::Option::Some(&mut log_lik.y)
    }
    #[allow(unused_variables)]
    fn lookup(
        latent: &eight_schools::Latent,
        index: &[usize],
    ) -> ::core::option::Option<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        ::core::option::Option::None
    }
}
impl ::model_runtime::__private::ObservedSite for eight_schools::site::y {}
const _: fn() = ::model_runtime::__private::assert_samplable::<Normal>;
impl<'__model> ::model_runtime::__private::Model for eight_schools::Model<'__model> {
    type Sites = eight_schools::Sites;
}
impl<'__model> ::model_runtime::__private::Body<f64> for eight_schools::Model<'__model> {
    #[allow(unused_variables, unused_mut, unused_braces, clippy::all)]
    fn body<__H>(
        &self,
        __handler: &mut __H,
    ) -> ::core::result::Result<(), ::model_runtime::__private::ModelError>
    where
        __H: ::model_runtime::__private::Handler<eight_schools::Sites, f64>,
    {
        type __T = f64;
        /// A data value as this body's scalar (see `model_runtime::scalar`).
        #[allow(dead_code)]
        fn scalar(x: f64) -> __T {
            <__T as ::model_runtime::__private::Scalar>::from_f64(x)
        }
        let y = self.y;
        let sigma = self.sigma;
        let mu = {
            ::model_runtime::__private::enter::<
                eight_schools::Sites,
                __T,
                __H,
            >(__handler, "mu", &[]);
            {
                let __dist = ::model_runtime::__private::IntoDistribution::into_distribution(
                    Normal::new(
                        ::model_runtime::__private::IntoParam::<__T>::into_param(0.0),
                        ::model_runtime::__private::IntoParam::<__T>::into_param(5.0),
                    ),
                );
                ::model_runtime::__private::sample_latent::<
                    eight_schools::site::mu,
                    _,
                    __T,
                    __H,
                >(__handler, &[], __dist, &self.__reparam.mu)?
            }
        };
        let tau = {
            ::model_runtime::__private::enter::<
                eight_schools::Sites,
                __T,
                __H,
            >(__handler, "tau", &[]);
            {
                let __dist = ::model_runtime::__private::IntoDistribution::into_distribution(
                    HalfCauchy::new(
                        ::model_runtime::__private::IntoParam::<__T>::into_param(5.0),
                    ),
                );
                ::model_runtime::__private::sample_latent::<
                    eight_schools::site::tau,
                    _,
                    __T,
                    __H,
                >(__handler, &[], __dist, &self.__reparam.tau)?
            }
        };
        {
            ::model_runtime::__private::enter::<
                eight_schools::Sites,
                __T,
                __H,
            >(__handler, "schools", &[]);
            {
                let __plate_size: usize = y.len();
                {
                    #[allow(unused_imports)]
                    use ::model_runtime::__private::{
                        KnownDataLen as _, UnknownDataLen as _,
                    };
                    ::model_runtime::__private::check_plate_data(
                        "schools",
                        &[],
                        __plate_size,
                        "sigma",
                        (&&::model_runtime::__private::DataLen(&sigma)).data_len(),
                    )?;
                    ::model_runtime::__private::check_plate_data(
                        "schools",
                        &[],
                        __plate_size,
                        "y",
                        (&&::model_runtime::__private::DataLen(&y)).data_len(),
                    )?;
                }
                let mut __plate_values = ::std::vec::Vec::with_capacity(__plate_size);
                for __plate_index_2 in 0..__plate_size {
                    let j = __plate_index_2;
                    ::model_runtime::__private::enumeration_begin::<
                        eight_schools::Sites,
                        __T,
                        __H,
                    >(__handler, "schools");
                    let __plate_value = loop {
                        ::model_runtime::__private::enter::<
                            eight_schools::Sites,
                            __T,
                            __H,
                        >(__handler, "schools", &[__plate_index_2]);
                        let __plate_value = {
                            let theta = {
                                ::model_runtime::__private::enter::<
                                    eight_schools::Sites,
                                    __T,
                                    __H,
                                >(__handler, "theta", &[__plate_index_2]);
                                {
                                    let __dist = ::model_runtime::__private::IntoDistribution::into_distribution(
                                        Normal::new(
                                            ::model_runtime::__private::IntoParam::<
                                                __T,
                                            >::into_param(mu),
                                            ::model_runtime::__private::IntoParam::<
                                                __T,
                                            >::into_param(tau),
                                        ),
                                    );
                                    ::model_runtime::__private::sample_latent::<
                                        eight_schools::site::theta,
                                        _,
                                        __T,
                                        __H,
                                    >(
                                        __handler,
                                        &[__plate_index_2],
                                        __dist,
                                        &self.__reparam.theta,
                                    )?
                                }
                            };
                            {
                                ::model_runtime::__private::enter::<
                                    eight_schools::Sites,
                                    __T,
                                    __H,
                                >(__handler, "y", &[__plate_index_2]);
                                {
                                    let __dist = ::model_runtime::__private::IntoDistribution::into_distribution(
                                        Normal::new(
                                            ::model_runtime::__private::IntoParam::<
                                                __T,
                                            >::into_param(theta),
                                            ::model_runtime::__private::IntoParam::<
                                                __T,
                                            >::into_param(sigma[j]),
                                        ),
                                    );
                                    let __obs = y[j];
                                    ::model_runtime::__private::observe_scaled::<
                                        eight_schools::site::y,
                                        _,
                                        __T,
                                        __H,
                                    >(
                                        __handler,
                                        &[__plate_index_2],
                                        __dist,
                                        ::model_runtime::__private::observed_data::<
                                            eight_schools::site::y,
                                            _,
                                        >(&__obs),
                                        1.0,
                                    )?
                                }
                            };
                        };
                        if !::model_runtime::__private::enumeration_next::<
                            eight_schools::Sites,
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
        ::core::result::Result::Ok(())
    }
}
impl<'__model> ::model_runtime::__private::Body<::model_runtime::__private::Var>
for eight_schools::Model<'__model> {
    #[allow(unused_variables, unused_mut, unused_braces, clippy::all)]
    fn body<__H>(
        &self,
        __handler: &mut __H,
    ) -> ::core::result::Result<(), ::model_runtime::__private::ModelError>
    where
        __H: ::model_runtime::__private::Handler<
            eight_schools::Sites,
            ::model_runtime::__private::Var,
        >,
    {
        type __T = ::model_runtime::__private::Var;
        /// A data value as this body's scalar (see `model_runtime::scalar`).
        #[allow(dead_code)]
        fn scalar(x: f64) -> __T {
            <__T as ::model_runtime::__private::Scalar>::from_f64(x)
        }
        let y = self.y;
        let sigma = self.sigma;
        let mu = {
            ::model_runtime::__private::enter::<
                eight_schools::Sites,
                __T,
                __H,
            >(__handler, "mu", &[]);
            {
                let __dist = ::model_runtime::__private::IntoDistribution::into_distribution(
                    Normal::new(
                        ::model_runtime::__private::IntoParam::<__T>::into_param(0.0),
                        ::model_runtime::__private::IntoParam::<__T>::into_param(5.0),
                    ),
                );
                ::model_runtime::__private::sample_latent::<
                    eight_schools::site::mu,
                    _,
                    __T,
                    __H,
                >(__handler, &[], __dist, &self.__reparam.mu)?
            }
        };
        let tau = {
            ::model_runtime::__private::enter::<
                eight_schools::Sites,
                __T,
                __H,
            >(__handler, "tau", &[]);
            {
                let __dist = ::model_runtime::__private::IntoDistribution::into_distribution(
                    HalfCauchy::new(
                        ::model_runtime::__private::IntoParam::<__T>::into_param(5.0),
                    ),
                );
                ::model_runtime::__private::sample_latent::<
                    eight_schools::site::tau,
                    _,
                    __T,
                    __H,
                >(__handler, &[], __dist, &self.__reparam.tau)?
            }
        };
        {
            ::model_runtime::__private::enter::<
                eight_schools::Sites,
                __T,
                __H,
            >(__handler, "schools", &[]);
            {
                let __plate_size: usize = y.len();
                {
                    #[allow(unused_imports)]
                    use ::model_runtime::__private::{
                        KnownDataLen as _, UnknownDataLen as _,
                    };
                    ::model_runtime::__private::check_plate_data(
                        "schools",
                        &[],
                        __plate_size,
                        "sigma",
                        (&&::model_runtime::__private::DataLen(&sigma)).data_len(),
                    )?;
                    ::model_runtime::__private::check_plate_data(
                        "schools",
                        &[],
                        __plate_size,
                        "y",
                        (&&::model_runtime::__private::DataLen(&y)).data_len(),
                    )?;
                }
                let mut __plate_values = ::std::vec::Vec::with_capacity(__plate_size);
                for __plate_index_2 in 0..__plate_size {
                    let j = __plate_index_2;
                    ::model_runtime::__private::enumeration_begin::<
                        eight_schools::Sites,
                        __T,
                        __H,
                    >(__handler, "schools");
                    let __plate_value = loop {
                        ::model_runtime::__private::enter::<
                            eight_schools::Sites,
                            __T,
                            __H,
                        >(__handler, "schools", &[__plate_index_2]);
                        let __plate_value = {
                            let theta = {
                                ::model_runtime::__private::enter::<
                                    eight_schools::Sites,
                                    __T,
                                    __H,
                                >(__handler, "theta", &[__plate_index_2]);
                                {
                                    let __dist = ::model_runtime::__private::IntoDistribution::into_distribution(
                                        Normal::new(
                                            ::model_runtime::__private::IntoParam::<
                                                __T,
                                            >::into_param(mu),
                                            ::model_runtime::__private::IntoParam::<
                                                __T,
                                            >::into_param(tau),
                                        ),
                                    );
                                    ::model_runtime::__private::sample_latent::<
                                        eight_schools::site::theta,
                                        _,
                                        __T,
                                        __H,
                                    >(
                                        __handler,
                                        &[__plate_index_2],
                                        __dist,
                                        &self.__reparam.theta,
                                    )?
                                }
                            };
                            {
                                ::model_runtime::__private::enter::<
                                    eight_schools::Sites,
                                    __T,
                                    __H,
                                >(__handler, "y", &[__plate_index_2]);
                                {
                                    let __dist = ::model_runtime::__private::IntoDistribution::into_distribution(
                                        Normal::new(
                                            ::model_runtime::__private::IntoParam::<
                                                __T,
                                            >::into_param(theta),
                                            ::model_runtime::__private::IntoParam::<
                                                __T,
                                            >::into_param(sigma[j]),
                                        ),
                                    );
                                    let __obs = y[j];
                                    ::model_runtime::__private::observe_scaled::<
                                        eight_schools::site::y,
                                        _,
                                        __T,
                                        __H,
                                    >(
                                        __handler,
                                        &[__plate_index_2],
                                        __dist,
                                        ::model_runtime::__private::observed_data::<
                                            eight_schools::site::y,
                                            _,
                                        >(&__obs),
                                        1.0,
                                    )?
                                }
                            };
                        };
                        if !::model_runtime::__private::enumeration_next::<
                            eight_schools::Sites,
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
        ::core::result::Result::Ok(())
    }
}
